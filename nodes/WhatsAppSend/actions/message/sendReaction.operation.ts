import type { INodeProperties } from 'n8n-workflow';
import type { ItemParameters } from '../../../whatsapp/n8n/itemParameters';
import type { OutboundMessage } from '../../../whatsapp/message';
import { show } from './displayOptions';

export const description: INodeProperties[] = [
	{
		displayName: 'Emoji',
		name: 'emoji',
		type: 'string',
		default: '👍',
		description: 'One emoji; empty removes an earlier reaction',
		displayOptions: show(['sendReaction']),
	},
];

export function read(parameters: ItemParameters, itemIndex: number): OutboundMessage {
	return { type: 'reaction', messageId: parameters.text('messageId', itemIndex).trim(), emoji: parameters.text('emoji', itemIndex) };
}
