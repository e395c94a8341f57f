import type { INodeProperties } from 'n8n-workflow';
import { TEMPLATE_MEDIA_TYPES } from '../whatsapp/message';
import { deliveryOptions, optionNamesLiteral, recipientProperty } from '../whatsapp/n8n/commonProperties';

const showFor = (templateSource: string) => ({ show: { templateSource: [templateSource] } });
const META_ON_CLOUD = { show: { backend: ['cloud'], templateSource: ['meta'] } };

const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Send', value: 'send', action: 'Send a template message', description: 'Fill the template for each item and send it' },
		{
			name: 'Preview',
			value: 'preview',
			action: 'Preview template messages',
			description: "Render every item's message without sending anything, to review a campaign",
		},
	],
	default: 'send',
};

const metaSource = {
	name: 'Meta Approved Template',
	value: 'meta',
	description: 'A template approved in WhatsApp Manager (Cloud API only)',
};
const textSource = {
	name: 'Text Template',
	value: 'text',
	description: 'Your own text with {{path.to.value}} placeholders filled from each item (either backend)',
};

/**
 * The same choice per backend: Meta templates exist only on the Cloud API, so Lite offers Text Template alone (a
 * Lite node still set to Meta Approved Template shows the value as unsupported instead of a Cloud template).
 */
const templateSourceProperties: INodeProperties[] = [
	{
		displayName: 'Template Source',
		name: 'templateSource',
		type: 'options',
		noDataExpression: true,
		options: [metaSource, textSource],
		default: 'meta',
		displayOptions: { show: { backend: ['cloud'] } },
	},
	{
		displayName: 'Template Source',
		name: 'templateSource',
		type: 'options',
		noDataExpression: true,
		options: [textSource],
		default: 'text',
		displayOptions: { show: { backend: ['lite'] } },
	},
];

const metaProperties: INodeProperties[] = [
	{
		displayName: 'Meta Approved Templates are sent only through the Cloud API: on the Lite container, set Template Source to Text Template',
		name: 'metaOnLiteNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { backend: ['lite'], templateSource: ['meta'] } },
	},
	{
		displayName: 'Show Non-Approved Templates',
		name: 'listNonApproved',
		type: 'boolean',
		default: false,
		description: 'Whether the template list also shows pending, rejected, paused and disabled templates (only approved ones can be sent)',
		displayOptions: showFor('meta'),
	},
	{
		displayName: 'Template',
		name: 'template',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The message template, by name and language',
		displayOptions: showFor('meta'),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a template...',
				typeOptions: { searchListMethod: 'searchTemplates', searchable: true },
			},
			{
				displayName: 'By Name and Language',
				name: 'name',
				type: 'string',
				placeholder: 'order_update:en_US',
				hint: 'The template name and its language code, separated by a colon',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^\\s*[^:\\s]+:[A-Za-z_]+\\s*$', errorMessage: 'Write it as name:language, e.g. order_update:en_US' },
					},
				],
			},
		],
	},
	{
		displayName: "Pick a template: its placeholders then show here, with Meta's example value where it fits",
		name: 'pickTemplateNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...META_ON_CLOUD.show, template: [''] } },
	},
	{
		// Said once here: a placeholder's own label has room for its name only (n8n 2.x cuts it at about 25 characters).
		displayName:
			"Give each placeholder a value, usually an expression; or set Mapping Column Mode (n8n's words) to Map Automatically, which takes each from the input field named like its ID (body_1, header_1, button_0_url …). A media header takes a public link, a media ID or the name of a binary field; a one-time code also fills the copy-code button. The Preview operation shows each message in full.",
		name: 'placeholdersNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: META_ON_CLOUD.show, hide: { template: [''] } },
	},
	{
		displayName: 'Template Parameters',
		name: 'templateParameters',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		description:
			'A value for each placeholder of the template: body and header placeholders, the media header (and a document\'s file name), a location header\'s coordinates, URL suffixes, quick-reply payloads and coupon codes. A body value may be a currency or date-time object: {"currency": {"fallback_value", "code", "amount_1000"}} or {"date_time": {"fallback_value"}}.',
		typeOptions: {
			loadOptionsDependsOn: ['template.value'],
			resourceMapper: {
				resourceMapperMethod: 'getTemplatePlaceholders',
				mode: 'map',
				valuesLabel: 'Placeholders',
				fieldWords: { singular: 'placeholder', plural: 'placeholders' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: true,
				// The method's emptyFieldsNotice says why there are no fields (no template yet, none in it, or a load failure).
				hideNoDataError: true,
			},
		},
		// Hidden until a template is picked (n8n compares a resource locator by its value).
		displayOptions: { show: META_ON_CLOUD.show, hide: { template: [''] } },
	},
	{
		displayName: 'Use Marketing Messages API',
		name: 'marketingMessages',
		type: 'boolean',
		default: false,
		description:
			"Whether marketing templates go through Meta's Marketing Messages API (delivery optimised by Meta; the template's time-to-live applies). Other templates, and every send while the number has not accepted that API's terms, go through the normal endpoint; each result item says which carried it.",
		displayOptions: META_ON_CLOUD,
	},
];

const textProperties: INodeProperties[] = [
	{
		displayName: 'Text Template',
		name: 'textTemplate',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'Hello {{user.first_name | "there"}}, your order {{order.number}} has shipped!',
		hint: 'Write {{first_name}} where the item\'s first_name goes, {{first_name | "there"}} for a fallback',
		description:
			"This node fills each {{field}} with the field of that name in the item (nested: {{order.number}}), or the fallback after |. Switched to Expression, the field is n8n's: it fills {{ … }} itself, so write this node's placeholders as \\{{first_name}} there.",
		displayOptions: showFor('text'),
	},
	{
		displayName: 'Media URL',
		name: 'mediaUrl',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/{{product.image}}',
		description:
			'Optional: a public link to an image, video or document sent with the text as its caption; placeholders work here too (in an expression: \\{{path}})',
		displayOptions: showFor('text'),
	},
	{
		displayName: 'Media Type',
		name: 'mediaType',
		type: 'options',
		options: TEMPLATE_MEDIA_TYPES.map((type) => ({ name: type[0].toUpperCase() + type.slice(1), value: type })),
		default: 'image',
		displayOptions: showFor('text'),
	},
	{
		displayName: 'Missing Values',
		name: 'missingValues',
		type: 'options',
		options: [
			{ name: 'Fail the Item', value: 'fail', description: 'A placeholder without a value and without a fallback is an error' },
			{
				name: 'Skip the Item',
				value: 'skip',
				description: 'Nothing is sent to that recipient; the output says which placeholder was missing',
			},
		],
		default: 'fail',
		displayOptions: showFor('text'),
	},
	{
		displayName: 'Add Random Reference',
		name: 'randomString',
		type: 'boolean',
		default: false,
		description:
			'Whether a short reference code ("Ref. 7F3A2C") is added on its own line. No two messages of a campaign are then identical, which helps against WhatsApp Web spam detection.',
		displayOptions: showFor('text'),
	},
];

const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: deliveryOptions,
};

export const templateSendProperties: INodeProperties[] = [
	operationProperty,
	recipientProperty,
	...templateSourceProperties,
	...metaProperties,
	...textProperties,
	optionsProperty,
];

/** "Send: Meta Approved Template", "Preview: Text Template" on the canvas. */
export const TEMPLATE_SEND_SUBTITLE = `={{ (${optionNamesLiteral(templateSendProperties, 'operation')})[$parameter["operation"]] + ": " + (${optionNamesLiteral(templateSendProperties, 'templateSource')})[$parameter["templateSource"]] }}`;
