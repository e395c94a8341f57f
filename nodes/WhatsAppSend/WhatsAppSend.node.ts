import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { credentialTest } from '../whatsapp/n8n/channels';
import { backendProperty, nodeCredentials, TRIGGER_POINTER } from '../whatsapp/n8n/commonProperties';
import { deliveryProperties } from '../whatsapp/n8n/delivery';
import { SENDING } from './actions/message/displayOptions';
import { answerWebhook, answerWebhookDescription } from './actions/message/sendAndWait.operation';
import { router } from './actions/router';
import { SEND_SUBTITLE, sendProperties } from './actions/sendProperties';

// eslint-disable-next-line @n8n/community-nodes/webhook-lifecycle-complete -- its only webhook is n8n's waiting webhook (restartWebhook), which n8n serves for a waiting execution: nothing to register elsewhere
export class WhatsAppSend implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Automator Send',
		name: 'whatsAppSend',
		icon: { light: 'file:../../icons/whatsapp-automator.svg', dark: 'file:../../icons/whatsapp-automator.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: SEND_SUBTITLE,
		description: `Send WhatsApp messages through the Cloud API or a Lite container. ${TRIGGER_POINTER}`,
		defaults: { name: 'WhatsApp Send' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: nodeCredentials,
		// Send and Wait for Response: the waiting execution resumes through it (actions/message/sendAndWait.operation.ts).
		webhooks: [answerWebhookDescription],
		properties: [backendProperty, ...sendProperties, ...deliveryProperties(SENDING)],
	};

	methods = { credentialTest };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await answerWebhook(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
