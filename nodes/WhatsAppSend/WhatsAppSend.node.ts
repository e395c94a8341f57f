import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { adaptToChannel, type UnsupportedInteractive } from '../whatsapp/channel/capabilities';
import type { Backend } from '../whatsapp/channel/types';
import { withRetries } from '../whatsapp/delivery/retry';
import { invalidInput } from '../whatsapp/errors';
import { validateMessage } from '../whatsapp/message';
import { channelFromContext, credentialTest } from '../whatsapp/n8n/channels';
import { backendProperty, nodeCredentials } from '../whatsapp/n8n/commonProperties';
import { deliveryProperties } from '../whatsapp/n8n/delivery';
import { nodeOptions, retryPolicyFrom } from '../whatsapp/n8n/options';
import type { PlannedItem } from '../whatsapp/n8n/runItems';
import { runItems } from '../whatsapp/n8n/runItems';
import { parseRecipient } from '../whatsapp/phone';
import { withRandomReference } from '../whatsapp/variation';
import { runCampaignOperations } from '../whatsapp/n8n/campaignOperations';
import { SEND_SUBTITLE, SENDING, sendProperties } from './description';
import { readMessage } from './readMessage';

export class WhatsAppSend implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Automator Send',
		name: 'whatsAppSend',
		icon: { light: 'file:../../icons/whatsapp-automator.svg', dark: 'file:../../icons/whatsapp-automator.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: SEND_SUBTITLE,
		description: 'Send WhatsApp messages through the Cloud API or a Lite container',
		defaults: { name: 'WhatsApp Send' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: nodeCredentials,
		properties: [
			backendProperty,
			...sendProperties,
			...deliveryProperties(SENDING),
		],
	};

	methods = { credentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const backend = this.getNodeParameter('backend', 0) as Backend;
		const channel = await channelFromContext(this, backend);
		if (this.getNodeParameter('resource', 0, 'message') === 'campaign') return [await runCampaignOperations(this, channel)];

		const planItem = async (itemIndex: number): Promise<PlannedItem> => {
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			if (operation === 'markAsRead') return planMarkAsRead(this, itemIndex);
			const options = nodeOptions(this, itemIndex);
			const read = await readMessage(this, operation, itemIndex);
			const message = options.randomReference ? withRandomReference(read) : read;
			validateMessage(message);
			const replyTo = String(options.replyTo ?? '').trim() || undefined;
			const envelope = adaptToChannel(
				{ to: parseRecipient(this.getNodeParameter('recipient', itemIndex)), replyTo, message },
				channel,
				(options.unsupportedInteractive as UnsupportedInteractive) ?? 'fail',
			);
			return { kind: 'send', envelope };
		};

		return [await runItems(this, channel, planItem)];
	}
}

function planMarkAsRead(context: IExecuteFunctions, itemIndex: number): PlannedItem {
	const messageId = String(context.getNodeParameter('messageId', itemIndex, '')).trim();
	if (!messageId) throw invalidInput('Message ID', messageId, 'is empty', 'Map the ID of the received message, e.g. {{ $json.messageId }} from the WhatsApp Trigger');
	const typingIndicator = context.getNodeParameter('typingIndicator', itemIndex, false) as boolean;
	const chatId = String(context.getNodeParameter('chatId', itemIndex, '') ?? '').trim() || undefined;
	const policy = retryPolicyFrom({});
	return {
		kind: 'call',
		run: async (channel) => {
			await withRetries(() => channel.markAsRead(messageId, { typingIndicator, chatId }), policy, { idempotent: true });
			return { messageId, backend: channel.backend, status: 'read', typingIndicator };
		},
	};
}
