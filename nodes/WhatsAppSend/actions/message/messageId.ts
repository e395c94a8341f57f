import type { INodeProperties } from 'n8n-workflow';

/** Message IDs look different per backend: Meta's wamid, WhatsApp Web's serialized ID. */
const messageIdProperty = (backend: string, placeholder: string): INodeProperties => ({
	displayName: 'Message ID',
	name: 'messageId',
	type: 'string',
	default: '',
	required: true,
	placeholder,
	description: 'The ID of the message (from the WhatsApp Trigger or an earlier send)',
	hint: "Map it from the WhatsApp Trigger's output: {{ $json.messageId }}",
	displayOptions: { show: { resource: ['message'], operation: ['sendReaction', 'markAsRead'], backend: [backend] } },
});

/** Which message to react to or mark as read; shown for both operations. */
export const messageIdProperties: INodeProperties[] = [
	messageIdProperty('cloud', 'wamid.HBgL…'),
	messageIdProperty('lite', 'false_4915123456789@c.us_3EB0C767D71F3A8E8B24'),
];
