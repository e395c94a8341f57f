import type { INodeProperties } from 'n8n-workflow';
import { withRetries } from '../../../whatsapp/delivery/retry';
import { invalidInput } from '../../../../contract/errors';
import type { ItemParameters } from '../../../whatsapp/n8n/itemParameters';
import { retryPolicyFrom } from '../../../whatsapp/n8n/options';
import type { PlannedItem } from '../../../whatsapp/n8n/runItems';
import { show } from './displayOptions';

export const description: INodeProperties[] = [
	{
		displayName: 'Show Typing Indicator',
		name: 'typingIndicator',
		type: 'boolean',
		default: false,
		description: 'Whether the sender sees "typing…" until your reply is sent (up to 25 seconds)',
		displayOptions: show(['markAsRead']),
	},
	{
		displayName: 'Chat',
		name: 'chatId',
		type: 'string',
		default: '',
		placeholder: '+49 151 23456789 or 120363025246125486@g.us',
		description: 'The number or group ID of the chat the message is in (WhatsApp Web marks a chat as read)',
		displayOptions: { show: { resource: ['message'], operation: ['markAsRead'], backend: ['lite'] } },
	},
];

export function plan(parameters: ItemParameters, itemIndex: number): PlannedItem {
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
