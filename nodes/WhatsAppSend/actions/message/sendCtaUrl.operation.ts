import type { INodeProperties } from 'n8n-workflow';
import type { ItemParameters } from '../../../whatsapp/n8n/itemParameters';
import type { OutboundMessage } from '../../../whatsapp/message';
import { show } from './displayOptions';
import { interactiveFrame } from './interactiveFrame';

export const description: INodeProperties[] = [
	{
		displayName: 'Button Text',
		name: 'displayText',
		type: 'string',
		default: '',
		required: true,
		description: 'Up to 20 characters',
		displayOptions: show(['sendCtaUrl']),
	},
	{
		displayName: 'Button URL',
		name: 'url',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/offer',
		displayOptions: show(['sendCtaUrl']),
	},
];

export function read(parameters: ItemParameters, itemIndex: number): OutboundMessage {
	return {
		type: 'cta_url',
		...interactiveFrame(parameters, itemIndex),
		displayText: parameters.text('displayText', itemIndex),
		url: parameters.text('url', itemIndex).trim(),
	};
}
