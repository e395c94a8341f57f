import type { ICredentialType, INodeProperties } from 'n8n-workflow';

// Tested by every node that uses it (testedBy in nodes/whatsapp/n8n/commonProperties.ts), so the test can
// report Meta's own error text or the Lite session state instead of a bare HTTP status. No `authenticate` block:
// n8n would add a "Custom API Call" operation to the nodes; they apply the secret themselves (credentialHeaders in
// nodes/whatsapp/n8n/channels.ts).
// eslint-disable-next-line @n8n/community-nodes/credential-test-required
export class WhatsAppCloudApi implements ICredentialType {
	name = 'whatsAppCloudApi';

	displayName = 'WhatsApp Cloud API';

	icon = { light: 'file:../icons/whatsapp-automator.svg', dark: 'file:../icons/whatsapp-automator.dark.svg' } as const;

	documentationUrl = 'https://developers.facebook.com/docs/whatsapp/cloud-api/get-started';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A System User access token with whatsapp_business_messaging and whatsapp_business_management permissions (Meta Business Settings → System Users)',
		},
		{
			displayName: 'Phone Number ID',
			name: 'phoneNumberId',
			type: 'string',
			default: '',
			required: true,
			description: 'The ID of the business phone number that sends (WhatsApp Manager → API Setup), not the phone number itself',
		},
		{
			displayName: 'WhatsApp Business Account ID',
			name: 'businessAccountId',
			type: 'string',
			default: '',
			description: 'The WABA ID that owns the phone number; needed to list message templates',
		},
		{
			displayName: 'Graph API Version',
			name: 'apiVersion',
			type: 'string',
			default: 'v23.0',
			description: 'The Graph API version to call, such as v23.0',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The Meta app secret (App Settings → Basic); the WhatsApp Trigger checks webhook signatures with it',
		},
		{
			displayName: 'Webhook Verify Token',
			name: 'verifyToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: "Any secret string; enter the same value in the Meta app's webhook settings",
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://graph.facebook.com',
			description: 'Change only to go through a private proxy or a test server',
		},
	];
}
