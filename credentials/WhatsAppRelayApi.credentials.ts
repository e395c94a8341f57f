import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

// The Lite gateway in its relay role (lite/README.md, "Many workflows on one number"): a WhatsApp Automator
// Trigger on the Cloud API that receives "Through the relay" registers its URL here on activation.
export class WhatsAppRelayApi implements ICredentialType {
	name = 'whatsAppRelayApi';

	displayName = 'WhatsApp Cloud Webhook Relay API';

	icon = { light: 'file:../icons/whatsapp-automator.svg', dark: 'file:../icons/whatsapp-automator.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-whatsapp-automator/n8n-nodes-whatsapp-automator#many-workflows-on-one-number';

	properties: INodeProperties[] = [
		{
			displayName: 'Relay URL',
			name: 'url',
			type: 'string',
			default: 'http://localhost:3000',
			required: true,
			placeholder: 'http://whatsapp-lite:3000',
			description: 'Where n8n reaches the gateway that runs the relay (the gateway with RELAY_APPS set)',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				"The gateway's API_KEY. Each trigger's deliveries are signed with a secret derived from it and the trigger's URL, so keep it secret.",
		},
		{
			displayName: 'App Name',
			name: 'app',
			type: 'string',
			default: '',
			placeholder: 'shop',
			description:
				"The app's name in the gateway's RELAY_APPS (the end of its callback URL, /meta/<name>). Empty: the trigger takes the events of every app the relay serves.",
		},
	];

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.url}}', url: '/relay/subscribers', headers: { appApiKey: '={{$credentials.apiKey}}' } },
	};
}
