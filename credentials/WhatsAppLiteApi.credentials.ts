import type { ICredentialType, INodeProperties } from 'n8n-workflow';

// Tested by every node that uses it (testedBy in nodes/whatsapp/n8n/commonProperties.ts), so the test can
// report Meta's own error text or the Lite session state instead of a bare HTTP status. No `authenticate` block:
// n8n would add a "Custom API Call" operation to the nodes; they apply the secret themselves (credentialHeaders in
// nodes/whatsapp/n8n/channels.ts).
// eslint-disable-next-line @n8n/community-nodes/credential-test-required
export class WhatsAppLiteApi implements ICredentialType {
	name = 'whatsAppLiteApi';

	displayName = 'WhatsApp Lite Container API';

	icon = { light: 'file:../icons/whatsapp-automator.svg', dark: 'file:../icons/whatsapp-automator.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-whatsapp-automator/n8n-nodes-whatsapp-automator#lite-container';

	properties: INodeProperties[] = [
		{
			displayName: 'Container URL',
			name: 'url',
			type: 'string',
			default: 'http://localhost:3000',
			required: true,
			placeholder: 'http://whatsapp-lite:3000',
			description:
				"Where n8n reaches the Lite container. Keep it off the public internet, or behind TLS: the container's README lists the settings that make it safe to expose (a long API_KEY, WEBHOOK_SECRET, WEBHOOK_ALLOWED_HOSTS, MEDIA_ALLOWED_HOSTS).",
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				"The container's API_KEY: a random string of at least 24 characters (a container with a real WhatsApp session refuses to start with a shorter one)",
		},
		{
			displayName: 'Account Name on the Container',
			name: 'suitId',
			type: 'string',
			default: 'default',
			required: true,
			hint: 'Keep "default" unless SUIT_ID is set on the container',
			description: "The container's SUIT_ID setting: the name under which it keeps this WhatsApp number's sends, daily count and campaigns",
		},
		{
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"The container's WEBHOOK_SECRET. The WhatsApp Trigger (with Verify Signatures on, as by default) refuses events not signed with it, so set WEBHOOK_SECRET on the container and the same value here.",
		},
	];
}
