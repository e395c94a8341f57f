import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import { INBOUND_MESSAGE_TYPES, INBOUND_STATUSES } from '../whatsapp/inbound/event';
import { DEFAULT_OPT_IN_KEYWORDS, DEFAULT_OPT_OUT_KEYWORDS } from '../whatsapp/inbound/optOuts';
import { RELAY_CREDENTIAL_TYPE } from '../whatsapp/n8n/channels';
import { nodeCredentials } from '../whatsapp/n8n/commonProperties';

const title = (value: string) =>
	value
		.split('_')
		.map((word) => word[0].toUpperCase() + word.slice(1))
		.join(' ');
const cloudOnly = { show: { backend: ['cloud'] } };
const liteOnly = { show: { backend: ['lite'] } };
const directFromMeta = { show: { backend: ['cloud'], reception: ['meta'] } };
const throughRelay = { show: { backend: ['cloud'], reception: ['relay'] } };

/** The defaults of the trigger's Options, read by the node where an option was not added. */
export const TRIGGER_OPTION_DEFAULTS = { dedupeWindowMinutes: 1440, maxMediaSizeMb: 16, binaryPropertyName: 'data' } as const;

type EventChoice = { name: string; value: string; description: string; backends: Array<'cloud' | 'lite'> };

const EVENT_CHOICES: EventChoice[] = [
	{
		name: 'Account Update',
		value: 'account',
		description:
			"The business account changed, or a number's quality rating or messaging limit tier (subscribe to account_update and phone_number_quality_update)",
		backends: ['cloud'],
	},
	{
		name: 'Campaign Finished',
		value: 'campaignFinished',
		description: 'A campaign ended (also after a cancel), with the count of each outcome',
		backends: ['lite'],
	},
	{
		name: 'Campaign Progress',
		value: 'campaign',
		description: 'One recipient of a campaign handed to the container was sent, failed, skipped or is unknown',
		backends: ['lite'],
	},
	{
		name: 'Contact ID Changed',
		value: 'identity',
		description: 'A person changed their phone number, which gave them a new business-scoped user ID (subscribe to user_id_update)',
		backends: ['cloud'],
	},
	{ name: 'Error', value: 'error', description: 'Meta reports a problem with the number or the app', backends: ['cloud'] },
	{ name: 'Message Received', value: 'message', description: 'Someone wrote to the business', backends: ['cloud', 'lite'] },
	{
		name: 'Message Status',
		value: 'status',
		description: 'A sent message was sent, delivered, read or failed',
		backends: ['cloud', 'lite'],
	},
	{
		name: 'Session Change',
		value: 'session',
		description: 'The Lite container needs a QR scan, is ready or disconnected',
		backends: ['lite'],
	},
	{
		name: 'Template Status',
		value: 'template',
		description:
			'A message template was approved, rejected, paused or disabled, or its quality or category changed (subscribe the Meta app to the template fields)',
		backends: ['cloud'],
	},
];

const choicesOf = (choices: EventChoice[]) => choices.map(({ name, value, description }) => ({ name, value, description }));

/** "Trigger On" lists the events of the chosen backend only. */
function eventsProperty(backend: 'cloud' | 'lite'): INodeProperties {
	return {
		displayName: 'Trigger On',
		name: 'events',
		type: 'multiOptions',
		required: true,
		options: choicesOf(EVENT_CHOICES.filter((choice) => choice.backends.includes(backend))),
		default: ['message'],
		displayOptions: { show: { backend: [backend] } },
	};
}

/**
 * Every event, for n8n's node creator only: it lists the choices of the first "Trigger On" property (and would set
 * the parameters its `show` names), so this one comes first, names no backend and never shows in the panel. A
 * node added there with another backend's event says so (backendEventNotice).
 */
const creatorEventsProperty: INodeProperties = {
	...eventsProperty('cloud'),
	options: choicesOf(EVENT_CHOICES),
	displayOptions: { hide: { backend: ['cloud', 'lite'] } },
};

const onlyOn = (backend: 'cloud' | 'lite') =>
	EVENT_CHOICES.filter((choice) => choice.backends.length === 1 && choice.backends[0] === backend);

/** An event of one backend chosen while the other is set (from the node creator, or a backend switched after). */
function backendEventNotice(backend: 'cloud' | 'lite'): INodeProperties {
	const other = backend === 'cloud' ? 'lite' : 'cloud';
	const events = onlyOn(other);
	return {
		displayName: `${events.map((choice) => choice.name).join(', ')}: ${other === 'lite' ? 'events of the Lite container. Set Backend to Lite Container (WhatsApp Web)' : 'events of the Cloud API. Set Backend to Cloud API (Meta)'}, or pick this backend's events under Trigger On.`,
		name: `${other}EventsNotice`,
		type: 'notice',
		default: '',
		displayOptions: { show: { backend: [backend], events: events.map((choice) => choice.value) } },
	};
}

/** The canvas subtitle: the chosen events by name ("Message Received, Message Status"), not their values. */
export const EVENTS_SUBTITLE = `={{ $parameter["events"].map((event) => (${JSON.stringify(Object.fromEntries(EVENT_CHOICES.map((choice) => [choice.value, choice.name])))})[event] ?? event).join(", ") }}`;

/** The nodes' credentials, and the relay's when a Cloud trigger receives through it. */
export const triggerCredentials: INodeCredentialDescription[] = [
	...nodeCredentials,
	{ name: RELAY_CREDENTIAL_TYPE, required: true, displayOptions: { show: { '/backend': ['cloud'], '/reception': ['relay'] } } },
];

export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Receive Events',
		name: 'reception',
		type: 'options',
		options: [
			{
				name: 'Directly From Meta',
				value: 'meta',
				description: "The Meta app's callback URL is this node's URL: one active trigger per app",
			},
			{
				name: 'Through the Relay',
				value: 'relay',
				description: "The Lite gateway takes the app's webhooks and passes each trigger the events it asks for: many workflows per app",
			},
		],
		default: 'meta',
		displayOptions: cloudOnly,
	},
	{
		displayName:
			"The Meta app's callback URL is the relay's (<relay>/meta/<app name>), set once for all workflows. Activating this workflow registers this node's Production URL and its filter with the relay; deactivating unregisters it.",
		name: 'relaySetupNotice',
		type: 'notice',
		default: '',
		displayOptions: throughRelay,
	},
	{
		displayName:
			'In the Meta app (WhatsApp → Configuration), set Callback URL to this node\'s Production URL under Webhook URLs above (it ends in /webhook), Verify Token to the credential\'s Webhook Verify Token, and subscribe to the "messages" field (and to the template and account fields for those events). A Meta app has one callback URL: one active trigger per app.',
		name: 'cloudSetupNotice',
		type: 'notice',
		default: '',
		displayOptions: directFromMeta,
	},
	{
		displayName:
			"On the Lite container, set WEBHOOK_SECRET and enter the same value as the credential's Webhook Signing Secret: with Verify Signatures on, events not signed with it are refused. Activating the workflow registers this node's Production URL under Webhook URLs above with the container.",
		name: 'liteSetupNotice',
		type: 'notice',
		default: '',
		displayOptions: liteOnly,
	},
	creatorEventsProperty,
	eventsProperty('cloud'),
	eventsProperty('lite'),
	backendEventNotice('cloud'),
	backendEventNotice('lite'),
	{
		displayName: 'Verify Signatures',
		name: 'verifySignatures',
		type: 'boolean',
		default: true,
		description: "Whether to refuse requests not signed with the credential's secret (Cloud: App Secret; Lite: Webhook Signing Secret)",
	},
	{
		displayName:
			'Signatures are not checked: anyone who knows this URL can start the workflow with made-up messages. Turn this off only for a local test.',
		name: 'unverifiedNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { verifySignatures: [false] } },
	},
	{
		displayName: 'Register Automatically',
		name: 'registerAutomatically',
		type: 'boolean',
		default: false,
		description:
			"Whether to set this URL as the Meta app's WhatsApp callback on activation (needs the app ID and the credential's App Secret)",
		displayOptions: directFromMeta,
	},
	{
		displayName: 'Meta App ID',
		name: 'appId',
		type: 'string',
		default: '',
		required: true,
		description: 'The ID of the Meta app (App Settings → Basic) whose WhatsApp webhook this trigger takes',
		displayOptions: { show: { backend: ['cloud'], reception: ['meta'], registerAutomatically: [true] } },
	},
	{
		displayName: 'Replace Existing Subscription',
		name: 'replaceExisting',
		type: 'boolean',
		default: false,
		description: "Whether to take over the app's callback when it points elsewhere. Off: activation fails and says where it points.",
		displayOptions: { show: { backend: ['cloud'], reception: ['meta'], registerAutomatically: [true] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Business Numbers',
				name: 'businessNumbers',
				type: 'string',
				default: '',
				placeholder: '+1 555 010 0000, 106540352242922',
				description:
					"Only events for these business numbers, comma-separated: the number as people dial it (Cloud, or the WhatsApp account linked to the Lite container), or the credential's Phone Number ID (Cloud) or Account Name on the Container (Lite)",
			},
			{
				displayName: 'Case Sensitive',
				name: 'caseSensitive',
				type: 'boolean',
				default: false,
				description: 'Whether keywords and the regular expression distinguish upper and lower case',
			},
			{
				displayName: 'Keywords or Regular Expression',
				name: 'keywords',
				type: 'string',
				default: '',
				placeholder: 'STOP, UNSUBSCRIBE',
				description: 'Comma-separated keywords, or one regular expression when Text Match is Regular Expression',
			},
			{
				displayName: 'Message Types',
				name: 'messageTypes',
				type: 'multiOptions',
				options: INBOUND_MESSAGE_TYPES.map((type) => ({ name: title(type), value: type })),
				default: [],
				description:
					'Only messages of these types (none chosen: all). Interactive covers reply buttons, list rows and template quick replies.',
			},
			{
				displayName: 'Senders',
				name: 'senders',
				type: 'string',
				default: '',
				placeholder: '+49 151 23456789, +1 555 0100',
				description:
					'Only messages from (and statuses to) these people, comma-separated: phone numbers, or business-scoped user IDs (userId on the items, e.g. US.13491208655302741918)',
			},
			{
				displayName: 'Statuses',
				name: 'statuses',
				type: 'multiOptions',
				options: INBOUND_STATUSES.map((status) => ({ name: title(status), value: status })),
				default: [],
				description: 'Only these statuses (none chosen: sent, delivered, read and failed)',
			},
			{
				displayName: 'Text Match',
				name: 'textMatch',
				type: 'options',
				options: [
					{ name: 'Any Text', value: 'any' },
					{ name: 'Contains a Keyword', value: 'word', description: 'As a whole word anywhere, e.g. "price" matches "what is the price?"' },
					{ name: 'First Word Is a Keyword', value: 'firstWord', description: 'E.g. "JOIN" matches "join summer-sale".' },
					{ name: 'Regular Expression', value: 'regex' },
					{ name: 'Whole Message Is a Keyword', value: 'exact', description: 'E.g. "stop" matches "STOP" but not "stop it".' },
				],
				default: 'any',
				description: 'Which messages start the workflow by their text (the caption of media, the title of a tapped button)',
			},
		],
	},
	{
		// Not a user setting: n8n leaves the body of a version-1 webhook node unparsed when options.binaryData is
		// set, so the trigger reads the raw bytes itself and answers a body that is not JSON with its own 400
		// (docs/n8n-webhooks.md). The user's options are in triggerOptions.
		displayName: 'Raw Body',
		name: 'options',
		type: 'hidden',
		default: { binaryData: true },
	},
	{
		displayName: 'Options',
		name: 'triggerOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			// eslint-disable-next-line n8n-nodes-base/node-param-default-missing -- the default is TRIGGER_OPTION_DEFAULTS, which the node also reads
			{
				displayName: 'De-Duplication Window (Minutes)',
				name: 'dedupeWindowMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: TRIGGER_OPTION_DEFAULTS.dedupeWindowMinutes,
				description:
					'An event delivered again within this time starts nothing (0: off). With a WhatsApp Shared State (Redis) credential this holds across n8n processes. A replayed Lite request is refused whatever this says.',
			},
			{
				displayName: 'Download Media',
				name: 'downloadMedia',
				type: 'boolean',
				default: false,
				description: 'Whether to put the file of an incoming image, video, audio, document or sticker into binary data',
			},
			// eslint-disable-next-line n8n-nodes-base/node-param-default-missing -- the default is TRIGGER_OPTION_DEFAULTS, which the node also reads
			{
				displayName: 'Max Media Size (MB)',
				name: 'maxMediaSizeMb',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: TRIGGER_OPTION_DEFAULTS.maxMediaSizeMb,
				description: 'Larger files are not downloaded; the item says why in media.downloadError',
			},
			{
				displayName: 'Opt-In Keywords',
				name: 'optInKeywords',
				type: 'string',
				default: DEFAULT_OPT_IN_KEYWORDS,
				description:
					'Record Opt-Outs: a message that is exactly one of these (comma-separated; case, accents and surrounding punctuation ignored) takes its sender off the opt-out list',
			},
			{
				displayName: 'Opt-Out Keywords',
				name: 'optOutKeywords',
				type: 'string',
				default: DEFAULT_OPT_OUT_KEYWORDS,
				description:
					'Record Opt-Outs: a message that is exactly one of these (comma-separated; case, accents and surrounding punctuation ignored) puts its sender on the opt-out list',
			},
			// eslint-disable-next-line n8n-nodes-base/node-param-default-missing -- the default is TRIGGER_OPTION_DEFAULTS, which the node also reads
			{
				displayName: 'Put Media in Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: TRIGGER_OPTION_DEFAULTS.binaryPropertyName,
				description: 'The binary property that receives downloaded media',
			},
			{
				displayName: 'Record Opt-Outs',
				name: 'recordOptOuts',
				type: 'boolean',
				default: false,
				description:
					"Whether a message that is an opt-out keyword puts its sender on the opt-out list of the business number, and an opt-in keyword takes them off. WhatsApp Send and Template Send then skip them. The item says what happened in optOut, so the workflow can confirm to the person. The list lives in the WhatsApp Shared State (Redis) credential's Redis (shared with every worker and the Lite gateway), or in this n8n process without one.",
			},
			{
				displayName: 'Update Campaign Reports',
				name: 'updateCampaignReports',
				type: 'boolean',
				default: true,
				description:
					'Whether delivery statuses and replies update the delivery state of campaign messages, which Get Campaign reports. Needs the same WhatsApp Shared State (Redis) credential as the sending nodes (or, without Redis, the same n8n process). On Lite the trigger then also receives acks and messages from the container; only the events chosen above start the workflow.',
			},
		],
	},
];
