import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { adaptToChannel, type UnsupportedInteractive } from '../whatsapp/channel/capabilities';
import type { Channel } from '../whatsapp/channel/types';
import { withRetries } from '../whatsapp/delivery/retry';
import { invalidInput } from '../../contract/errors';
import { validateMessage } from '../whatsapp/message';
import { type ItemParameters, itemParameters } from '../whatsapp/n8n/itemParameters';
import { retryPolicyFrom } from '../whatsapp/n8n/options';
import type { PlannedItem } from '../whatsapp/n8n/runItems';
import { parseRecipientOrBsuid } from '../whatsapp/identity';
import { withRandomReference } from '../whatsapp/variation';
import { readMessage } from './readMessage';

function planMarkAsRead(parameters: ItemParameters, itemIndex: number): PlannedItem {
	const messageId = parameters.text('messageId', itemIndex).trim();
	if (!messageId)
		throw invalidInput(
			'Message ID',
			messageId,
			'is empty',
			'Map the ID of the received message, e.g. {{ $json.messageId }} from the WhatsApp Trigger',
		);
	const typingIndicator = parameters.get('typingIndicator', itemIndex, false) as boolean;
	const chatId = parameters.optionalText('chatId', itemIndex);
	const policy = retryPolicyFrom({});
	return {
		kind: 'call',
		run: async (channel) => {
			await withRetries(() => channel.markAsRead(messageId, { typingIndicator, chatId }), policy, { idempotent: true });
			return { messageId, backend: channel.backend, status: 'read', typingIndicator };
		},
	};
}

/**
 * WhatsApp Send's parameters for one item, read and checked into what the delivery engine runs (`runItems`).
 * A parameter without an expression is read from n8n once per execution, one with an expression per item
 * (itemParameters.ts); the message itself is read by its operation's reader (readMessage.ts).
 */
export function messagePlanner(context: IExecuteFunctions, channel: Channel): (itemIndex: number) => Promise<PlannedItem> {
	const parameters = itemParameters(context);
	const planItem = async (itemIndex: number): Promise<PlannedItem> => {
		const operation = parameters.text('operation', itemIndex);
		if (operation === 'markAsRead') return planMarkAsRead(parameters, itemIndex);
		const options = parameters.get('options', itemIndex, {}) as IDataObject;
		const read = await readMessage(parameters, operation, itemIndex);
		const message = options.randomReference ? withRandomReference(read) : read;
		validateMessage(message);
		const replyTo = String(options.replyTo ?? '').trim() || undefined;
		const envelope = adaptToChannel(
			{ to: parseRecipientOrBsuid(parameters.get('recipient', itemIndex), options.recipientUserId), replyTo, message },
			channel,
			(options.unsupportedInteractive as UnsupportedInteractive) ?? 'fail',
		);
		return { kind: 'send', envelope };
	};
	return planItem;
}
