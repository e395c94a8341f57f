import type { INodeProperties } from 'n8n-workflow';
import type { ItemParameters } from '../../../whatsapp/n8n/itemParameters';
import type { OutboundMessage } from '../../../whatsapp/message';
import { show } from './displayOptions';

export const description: INodeProperties[] = [
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description: 'Up to 4096 characters; WhatsApp formatting like *bold* and _italic_ works',
		displayOptions: show(['sendText']),
	},
	{
		displayName: 'Show URL Preview',
		name: 'previewUrl',
		type: 'boolean',
		default: false,
		description: 'Whether the first link in the text gets a preview (Cloud API)',
		displayOptions: show(['sendText']),
	},
];

export function read(parameters: ItemParameters, itemIndex: number): OutboundMessage {
	return {
		type: 'text',
		text: parameters.text('text', itemIndex),
		previewUrl: parameters.get('previewUrl', itemIndex, false) as boolean,
	};
}
