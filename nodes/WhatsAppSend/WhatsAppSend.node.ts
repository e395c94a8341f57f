import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { Backend } from '../whatsapp/channel/types';
import { channelFromContext, credentialTest } from '../whatsapp/n8n/channels';
import { backendProperty, nodeCredentials, TRIGGER_POINTER } from '../whatsapp/n8n/commonProperties';
import { deliveryProperties } from '../whatsapp/n8n/delivery';
import { runItems } from '../whatsapp/n8n/runItems';
import { runCampaignOperations } from '../whatsapp/n8n/campaignOperations';
import { runOptOutOperations } from '../whatsapp/n8n/optOutOperations';
import { SEND_SUBTITLE, SENDING, sendProperties } from './description';
import { messagePlanner } from './plan';
import { answerWebhook, answerWebhookDescription, runSendAndWait, SEND_AND_WAIT_OPERATION } from './sendAndWait';

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
		// Send and Wait for Response: the waiting execution resumes through it (sendAndWait.ts).
		webhooks: [answerWebhookDescription],
		properties: [backendProperty, ...sendProperties, ...deliveryProperties(SENDING)],
	};

	methods = { credentialTest };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await answerWebhook(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const backend = this.getNodeParameter('backend', 0) as Backend;
		const channel = await channelFromContext(this, backend);
		if (this.getNodeParameter('resource', 0, 'message') === 'campaign') return [await runCampaignOperations(this, channel)];
		if (this.getNodeParameter('resource', 0, 'message') === 'optOut') return [await runOptOutOperations(this, channel)];
		if (this.getNodeParameter('operation', 0) === SEND_AND_WAIT_OPERATION) return await runSendAndWait(this, channel);
		return [await runItems(this, channel, messagePlanner(this, channel))];
	}
}
