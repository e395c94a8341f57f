import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import { redisCredential } from './store';

/** The backend picker every node starts with; the credential shown follows from it. */
export const backendProperty: INodeProperties = {
	displayName: 'Backend',
	name: 'backend',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Cloud API (Meta)', value: 'cloud', description: 'Meta\'s official WhatsApp Business Cloud API' },
		{ name: 'Lite Container (WhatsApp Web)', value: 'lite', description: 'A self-hosted whatsapp-web.js gateway' },
	],
	default: 'cloud',
};

const backendCredentials: INodeCredentialDescription[] = [
	{ name: 'whatsAppCloudApi', required: true, testedBy: 'whatsAppCloudApiTest', displayOptions: { show: { backend: ['cloud'] } } },
	{ name: 'whatsAppLiteApi', required: true, testedBy: 'whatsAppLiteApiTest', displayOptions: { show: { backend: ['lite'] } } },
];

export const recipientProperty: INodeProperties = {
	displayName: 'Recipient',
	name: 'recipient',
	type: 'string',
	default: '',
	required: true,
	placeholder: '+49 151 23456789',
	description: 'Phone number with country code (spaces, dashes, + and 00 are fine); on the Lite container also a group chat ID ending in @g.us',
};

/** Options shared by the sending nodes: retries and how unsupported interactive messages are handled. */
export const deliveryOptions: INodeProperties[] = [
	{
		displayName: 'Max Attempts',
		name: 'maxAttempts',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10 },
		default: 4,
		description: 'How often a send is tried when WhatsApp answers with a temporary error (rate limit, unavailable). A message whose fate is unknown is never sent again.',
	},
	{
		displayName: 'Initial Backoff (Ms)',
		name: 'initialBackoffMs',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 1000,
		description: 'Wait before the first retry; it doubles with each further attempt (with jitter), and never undercuts a Retry-After',
	},
];

/** Every node: the backend's credential, and optionally Redis for state shared by every n8n worker. */
export const nodeCredentials: INodeCredentialDescription[] = [...backendCredentials, redisCredential];
