import type { INodeProperties } from 'n8n-workflow';
import { flowProperties } from './flowProperties';
import { MEDIA_TYPES } from '../whatsapp/message';
import { campaignProperties } from '../whatsapp/n8n/campaignOperations';
import { deliveryOptions, optionNamesLiteral, recipientProperty } from '../whatsapp/n8n/commonProperties';
import { optOutProperties } from '../whatsapp/n8n/optOutOperations';
import { sendAndWaitProperties } from './sendAndWait';

const show = (operation: string[]) => ({ show: { resource: ['message'], operation } });
/** Shown for every message operation but Mark as Read. */
export const SENDING = { show: { resource: ['message'] }, hide: { operation: ['markAsRead'] } };

const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Message', value: 'message' },
		{
			name: 'Campaign',
			value: 'campaign',
			description: 'Report on a campaign (both backends), list them by day, or steer one handed to the Lite container',
		},
		{ name: 'Opt-Out', value: 'optOut', description: 'Add, check, list, remove or import people who asked not to be messaged' },
	],
	default: 'message',
};

const interactiveOperations = ['sendButtons', 'sendList', 'sendCtaUrl'];
/** Messages with a body and an optional header and footer; a Flow has no text form, so it is not "interactive" on Lite. */
const framedOperations = [...interactiveOperations, 'sendFlow'];

const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['message'] } },
	options: [
		{
			name: 'Mark as Read',
			value: 'markAsRead',
			action: 'Mark a message as read',
			description: 'Show blue ticks on a received message, optionally with a typing indicator',
		},
		{ name: 'React', value: 'sendReaction', action: 'React to a message', description: 'Put an emoji reaction on a message' },
		{
			name: 'Send and Wait for Response',
			value: 'sendAndWait',
			action: 'Send a question and wait for the reply',
			description:
				'Ask a question (reply buttons or a list on Cloud, numbered choices on Lite, or free text); the workflow continues with the answer the WhatsApp Trigger receives',
		},
		{
			name: 'Send Contacts',
			value: 'sendContacts',
			action: 'Send contact cards',
			description: 'One or more contact cards the recipient can save',
		},
		{
			name: 'Send CTA URL Button',
			value: 'sendCtaUrl',
			action: 'Send a link button',
			description: 'Text with a button that opens a URL (Cloud API; on Lite only as text with the link, if chosen in Options)',
		},
		{
			name: 'Send Flow',
			value: 'sendFlow',
			action: 'Send a flow',
			description: 'A button that opens a WhatsApp Flow, a form inside WhatsApp; the answers come to the WhatsApp Trigger (Cloud API)',
		},
		{
			name: 'Send List',
			value: 'sendList',
			action: 'Send a list of choices',
			description: 'A menu of up to 10 rows (Cloud API; on Lite only as numbered text, if chosen in Options)',
		},
		{
			name: 'Send Location',
			value: 'sendLocation',
			action: 'Send a location',
			description: 'A pin on the map, with an optional place name and address',
		},
		{
			name: 'Send Media',
			value: 'sendMedia',
			action: 'Send a media file',
			description: 'An image, video, audio, document or sticker: by link, from an earlier node, or by media ID (Cloud API)',
		},
		{
			name: 'Send Reply Buttons',
			value: 'sendButtons',
			action: 'Send reply buttons',
			description: 'Text with up to 3 buttons (Cloud API; on Lite only as numbered text, if chosen in Options)',
		},
		{ name: 'Send Text', value: 'sendText', action: 'Send a text message', description: 'A text of up to 4096 characters' },
	],
	default: 'sendText',
};

const textProperties: INodeProperties[] = [
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description: 'Up to 4096 characters; WhatsApp formatting like *bold* and _italic_ works',
		displayOptions: show(['sendText']),
	},
	{
		displayName: 'Show URL Preview',
		name: 'previewUrl',
		type: 'boolean',
		default: false,
		description: 'Whether the first link in the text gets a preview (Cloud API)',
		displayOptions: show(['sendText']),
	},
];

/**
 * The media sources per backend, one property each (like Template Source): media IDs exist only at Meta, and only
 * the Cloud API uploads a file before sending it (the Lite container gets the file with the message).
 */
const mediaSourceProperties: INodeProperties[] = [
	{
		displayName: 'Media Source',
		name: 'mediaSource',
		type: 'options',
		options: [
			{ name: 'Link', value: 'link', description: 'A public https URL WhatsApp downloads from' },
			{ name: 'Media ID', value: 'id', description: 'The ID of a file uploaded to Meta before' },
			{
				name: 'File From an Earlier Node',
				value: 'binary',
				description: 'A file an earlier node read or downloaded; uploaded to Meta first',
			},
		],
		default: 'link',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], backend: ['cloud'] } },
	},
	{
		displayName: 'Media Source',
		name: 'mediaSource',
		type: 'options',
		options: [
			{ name: 'Link', value: 'link', description: 'A public https URL WhatsApp downloads from' },
			{ name: 'File From an Earlier Node', value: 'binary', description: 'A file an earlier node read or downloaded' },
		],
		default: 'link',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], backend: ['lite'] } },
	},
];

const mediaProperties: INodeProperties[] = [
	{
		displayName: 'Media Type',
		name: 'mediaType',
		type: 'options',
		options: MEDIA_TYPES.map((type) => ({ name: type[0].toUpperCase() + type.slice(1), value: type })),
		default: 'image',
		displayOptions: show(['sendMedia']),
	},
	...mediaSourceProperties,
	{
		displayName: 'Media Link',
		name: 'mediaLink',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/photo.jpg',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaSource: ['link'] } },
	},
	{
		displayName: 'Media ID',
		name: 'mediaId',
		type: 'string',
		default: '',
		required: true,
		// Shown on Lite too for a node left on Media ID: the run then says plainly that Lite cannot send by media ID.
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaSource: ['id'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: "Where the earlier node put the file: the name shown on its output's Binary tab, usually data",
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaSource: ['binary'] } },
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		default: '',
		description: 'Up to 1024 characters',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaType: ['image', 'video', 'document'] } },
	},
	{
		displayName: 'File Name',
		name: 'filename',
		type: 'string',
		default: '',
		description: 'The name the recipient sees for the document',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaType: ['document'] } },
	},
	{
		displayName: 'Send as Voice Note',
		name: 'voice',
		type: 'boolean',
		default: false,
		description: 'Whether the audio plays as a voice note (OGG/Opus files)',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaType: ['audio'] } },
	},
];

const locationProperties: INodeProperties[] = [
	{
		displayName: 'Latitude',
		name: 'latitude',
		type: 'number',
		typeOptions: { numberPrecision: 6 },
		default: 0,
		required: true,
		displayOptions: show(['sendLocation']),
	},
	{
		displayName: 'Longitude',
		name: 'longitude',
		type: 'number',
		typeOptions: { numberPrecision: 6 },
		default: 0,
		required: true,
		displayOptions: show(['sendLocation']),
	},
	{ displayName: 'Place Name', name: 'locationName', type: 'string', default: '', displayOptions: show(['sendLocation']) },
	{ displayName: 'Address', name: 'address', type: 'string', default: '', displayOptions: show(['sendLocation']) },
];

const contactProperties: INodeProperties[] = [
	{
		displayName: 'Contacts',
		name: 'contacts',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Contact',
		displayOptions: show(['sendContacts']),
		options: [
			{
				displayName: 'Contact',
				name: 'contact',
				values: [
					{
						displayName: 'Company',
						name: 'company',
						type: 'string',
						default: '',
					},
					{
						displayName: 'Email',
						name: 'email',
						type: 'string',
						placeholder: 'name@email.com',
						default: '',
					},
					{
						displayName: 'First Name',
						name: 'firstName',
						type: 'string',
						default: '',
					},
					{
						displayName: 'Full Name',
						name: 'formattedName',
						type: 'string',
						default: '',
						required: true,
					},
					{
						displayName: 'Last Name',
						name: 'lastName',
						type: 'string',
						default: '',
					},
					{
						displayName: 'Phone',
						name: 'phone',
						type: 'string',
						default: '',
					},
					{
						displayName: 'Phone Type',
						name: 'phoneType',
						type: 'options',
						options: [
							{
								name: 'Cell',
								value: 'CELL',
							},
							{
								name: 'Home',
								value: 'HOME',
							},
							{
								name: 'Work',
								value: 'WORK',
							},
						],
						default: 'CELL',
					},
					{
						displayName: 'Website',
						name: 'url',
						type: 'string',
						default: '',
					},
				],
			},
		],
	},
];

const interactiveFrameProperties: INodeProperties[] = [
	{
		displayName: 'Body Text',
		name: 'body',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		displayOptions: show(framedOperations),
	},
	{
		displayName: 'Header Text',
		name: 'header',
		type: 'string',
		default: '',
		description: 'Up to 60 characters, shown in bold above the body',
		displayOptions: show(framedOperations),
	},
	{
		displayName: 'Footer Text',
		name: 'footer',
		type: 'string',
		default: '',
		description: 'Up to 60 characters, shown in grey below the body',
		displayOptions: show(framedOperations),
	},
];

const buttonProperties: INodeProperties[] = [
	{
		displayName: 'Buttons',
		name: 'buttons',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, maxValue: 3 },
		default: {},
		placeholder: 'Add Button',
		description: "1 to 3 buttons; the reply carries the button's ID",
		displayOptions: show(['sendButtons']),
		options: [
			{
				displayName: 'Button',
				name: 'button',
				values: [
					{ displayName: 'Title', name: 'title', type: 'string', default: '', required: true, description: 'Up to 20 characters, unique' },
					{
						displayName: 'ID',
						name: 'id',
						type: 'string',
						default: '',
						required: true,
						description: 'Comes back in the reply; up to 256 characters',
					},
				],
			},
		],
	},
];

const listProperties: INodeProperties[] = [
	{
		displayName: 'List Button Text',
		name: 'buttonText',
		type: 'string',
		default: 'Choose',
		required: true,
		description: 'The label of the button that opens the list (up to 20 characters)',
		displayOptions: show(['sendList']),
	},
	{
		displayName: 'Rows',
		name: 'rows',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Row',
		description: 'Up to 10 rows; rows with the same section title are grouped',
		displayOptions: show(['sendList']),
		options: [
			{
				displayName: 'Row',
				name: 'row',
				values: [
					{ displayName: 'Title', name: 'title', type: 'string', default: '', required: true, description: 'Up to 24 characters' },
					{ displayName: 'ID', name: 'id', type: 'string', default: '', required: true, description: 'Comes back in the reply' },
					{ displayName: 'Description', name: 'description', type: 'string', default: '', description: 'Up to 72 characters' },
					{
						displayName: 'Section Title',
						name: 'section',
						type: 'string',
						default: '',
						description: 'Optional; needed when the list has several sections',
					},
				],
			},
		],
	},
];

const ctaProperties: INodeProperties[] = [
	{
		displayName: 'Button Text',
		name: 'displayText',
		type: 'string',
		default: '',
		required: true,
		description: 'Up to 20 characters',
		displayOptions: show(['sendCtaUrl']),
	},
	{
		displayName: 'Button URL',
		name: 'url',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/offer',
		displayOptions: show(['sendCtaUrl']),
	},
];

/** Message IDs look different per backend: Meta's wamid, WhatsApp Web's serialized ID. */
const messageIdProperty = (backend: string, placeholder: string): INodeProperties => ({
	displayName: 'Message ID',
	name: 'messageId',
	type: 'string',
	default: '',
	required: true,
	placeholder,
	description: 'The ID of the message (from the WhatsApp Trigger or an earlier send)',
	hint: "Map it from the WhatsApp Trigger's output: {{ $json.messageId }}",
	displayOptions: { show: { resource: ['message'], operation: ['sendReaction', 'markAsRead'], backend: [backend] } },
});

const reactionAndReadProperties: INodeProperties[] = [
	messageIdProperty('cloud', 'wamid.HBgL…'),
	messageIdProperty('lite', 'false_4915123456789@c.us_3EB0C767D71F3A8E8B24'),
	{
		displayName: 'Emoji',
		name: 'emoji',
		type: 'string',
		default: '👍',
		description: 'One emoji; empty removes an earlier reaction',
		displayOptions: show(['sendReaction']),
	},
	{
		displayName: 'Show Typing Indicator',
		name: 'typingIndicator',
		type: 'boolean',
		default: false,
		description: 'Whether the sender sees "typing…" until your reply is sent (up to 25 seconds)',
		displayOptions: show(['markAsRead']),
	},
	{
		displayName: 'Chat',
		name: 'chatId',
		type: 'string',
		default: '',
		placeholder: '+49 151 23456789 or 120363025246125486@g.us',
		description: 'The number or group ID of the chat the message is in (WhatsApp Web marks a chat as read)',
		displayOptions: { show: { resource: ['message'], operation: ['markAsRead'], backend: ['lite'] } },
	},
];

/** WhatsApp Web has no interactive messages: said in the panel, next to the choice of what happens instead. */
const liteInteractiveProperties: INodeProperties[] = [
	{
		displayName:
			'WhatsApp Web has no buttons, lists or link buttons. On the Lite container this message fails unless you choose Options › Interactive Messages on Lite › Send as Text With Numbered Choices: it then goes out as plain text with numbered choices (a link button as its link).',
		name: 'liteInteractiveNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['message'], operation: interactiveOperations, backend: ['lite'] } },
	},
];

const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: SENDING,
	options: [
		...deliveryOptions,
		{
			displayName: 'Interactive Messages on Lite',
			name: 'unsupportedInteractive',
			type: 'options',
			displayOptions: { show: { '/backend': ['lite'], '/operation': interactiveOperations } },
			options: [
				{ name: 'Fail With an Error', value: 'fail' },
				{ name: 'Send as Text With Numbered Choices', value: 'sendAsText' },
			],
			default: 'fail',
			description: 'WhatsApp Web has no buttons or lists: what to do when this message goes through the Lite container',
		},
		{
			displayName: 'Add Random Reference',
			name: 'randomReference',
			type: 'boolean',
			default: false,
			description:
				'Whether a short reference code ("Ref. 7F3A2C") is added on its own line to the text or caption. No two messages of a campaign are then identical, which helps against WhatsApp Web spam detection.',
		},
		{
			displayName: 'Reply To Message ID',
			name: 'replyTo',
			type: 'string',
			default: '',
			description: "Quote an earlier message in this one: its message ID, e.g. the WhatsApp Trigger's messageId",
		},
	],
};

export const sendProperties: INodeProperties[] = [
	resourceProperty,
	operationProperty,
	...campaignProperties,
	...optOutProperties,
	{ ...recipientProperty, displayOptions: SENDING },
	...textProperties,
	...mediaProperties,
	...locationProperties,
	...contactProperties,
	...liteInteractiveProperties,
	...interactiveFrameProperties,
	...buttonProperties,
	...listProperties,
	...ctaProperties,
	...flowProperties,
	...reactionAndReadProperties,
	...sendAndWaitProperties,
	optionsProperty,
];

/** "Send Text", "Campaign: Get" on the canvas. */
export const SEND_SUBTITLE = `={{ ({ campaign: "Campaign: " })[$parameter["resource"]] ?? "" }}{{ (${optionNamesLiteral(sendProperties, 'operation')})[$parameter["operation"]] }}`;
