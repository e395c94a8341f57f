import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import { DEFAULT_RETRY_POLICY } from '../delivery/retry';
import { redisCredential } from './store';

/** The backend picker every node starts with, a visible field; n8n shows the credential field for it above the parameters. */
export const backendProperty: INodeProperties = {
	displayName: 'Backend',
	name: 'backend',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Cloud API (Meta)',
			value: 'cloud',
			description: "Meta's official WhatsApp Business Platform: approved templates, buttons and lists",
		},
		{
			name: 'Lite Container (WhatsApp Web)',
			value: 'lite',
			description: 'Your own WhatsApp number through the self-hosted gateway in lite/: text, media, text templates',
		},
	],
	default: 'cloud',
	description: 'Which WhatsApp the node talks to; the credential field above follows this choice',
};

/**
 * The credentials show on the root path '/backend', not on 'backend'. n8n's editor treats a parameter that
 * credentials' displayOptions name directly as the node's "authentication" field: it hides it from the panel
 * (the backend then followed silently from whichever credential was picked) and makes every credential
 * field without displayOptions list the Cloud and Lite accounts, the Redis one included. A root path names
 * no parameter for the editor (1.x and 2.x match names exactly), while n8n's displayParameter resolves it
 * the same: Backend stays a field of its own and each credential field lists its own type only.
 */
const onBackend = (backend: string) => ({ show: { '/backend': [backend] } });

const backendCredentials: INodeCredentialDescription[] = [
	{ name: 'whatsAppCloudApi', required: true, testedBy: 'whatsAppCloudApiTest', displayOptions: onBackend('cloud') },
	{ name: 'whatsAppLiteApi', required: true, testedBy: 'whatsAppLiteApiTest', displayOptions: onBackend('lite') },
];

export const recipientProperty: INodeProperties = {
	displayName: 'Recipient',
	name: 'recipient',
	type: 'string',
	default: '',
	required: true,
	placeholder: '+49 151 23456789',
	description:
		'Phone number with country code (spaces, dashes, + and 00 are fine), or a business-scoped user ID (BSUID, userId on trigger items, Cloud API); on the Lite container also a group chat ID ending in @g.us',
};

/** Options shared by the sending nodes: retries and how unsupported interactive messages are handled. */
export const deliveryOptions: INodeProperties[] = [
	{
		displayName: 'Recipient BSUID',
		name: 'recipientUserId',
		type: 'string',
		default: '',
		placeholder: 'US.13491208655302741918',
		description:
			"The person's business-scoped user ID beside the phone number in Recipient (userId on the WhatsApp Trigger's items). Meta sends to the phone when both are given; the output says which was used.",
		displayOptions: { show: { '/backend': ['cloud'] } },
	},
	// eslint-disable-next-line n8n-nodes-base/node-param-default-missing -- the default is the engine's DEFAULT_RETRY_POLICY
	{
		displayName: 'Max Attempts',
		name: 'maxAttempts',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10 },
		default: DEFAULT_RETRY_POLICY.maxAttempts,
		description:
			'How often a send is tried when WhatsApp answers with a temporary error (rate limit, unavailable). A message whose fate is unknown is never sent again.',
	},
	// eslint-disable-next-line n8n-nodes-base/node-param-default-missing -- the default is the engine's DEFAULT_RETRY_POLICY
	{
		displayName: 'First Retry After (Milliseconds)',
		name: 'initialBackoffMs',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: DEFAULT_RETRY_POLICY.initialBackoffMs,
		description: 'Wait before the first retry; it doubles with each further attempt (with jitter), and never undercuts a Retry-After',
	},
];

/**
 * Every node: the backend's credential, and optionally Redis for state shared by every n8n worker. Redis shows
 * on either backend; having displayOptions makes n8n label it "Credential for WhatsApp Shared State (Redis)"
 * instead of a second "Credential to connect with".
 */
/**
 * Ends the sending nodes' descriptions. n8n's node creator lists a trigger on a node's page only when their type
 * names match (`<name>Trigger`), which these nodes' names, kept for saved workflows, do not: the description, shown
 * there, names the trigger instead (test/ui/README.md).
 */
export const TRIGGER_POINTER = 'To start a workflow when a message comes in, add the WhatsApp Automator trigger.';

export const nodeCredentials: INodeCredentialDescription[] = [
	...backendCredentials,
	{ ...redisCredential, displayOptions: { show: { '/backend': ['cloud', 'lite'] } } },
];

/**
 * The names of an options parameter's choices by value, as an object literal for a canvas subtitle: subtitles
 * then read "Send Text", not "sendText". Several properties of the same name (per backend or resource) merge.
 */
export function optionNamesLiteral(properties: INodeProperties[], parameter: string): string {
	const names = properties
		.filter((property) => property.name === parameter)
		.flatMap((property) => (property.options ?? []) as Array<{ name: string; value?: unknown }>)
		.map((option) => [String(option.value), option.name]);
	return JSON.stringify(Object.fromEntries(names));
}
