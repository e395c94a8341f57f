import type { INodeProperties } from 'n8n-workflow';
import type { ItemParameters } from '../../../whatsapp/n8n/itemParameters';
import type { OutboundMessage } from '../../../whatsapp/message';
import { collection } from './collection';
import { show } from './displayOptions';
import { interactiveFrame } from './interactiveFrame';

export const description: INodeProperties[] = [
	{
		displayName: 'Buttons',
		name: 'buttons',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, maxValue: 3 },
		default: {},
		placeholder: 'Add Button',
		description: "1 to 3 buttons; the reply carries the button's ID",
		displayOptions: show(['sendButtons']),
		options: [
			{
				displayName: 'Button',
				name: 'button',
				values: [
					{ displayName: 'Title', name: 'title', type: 'string', default: '', required: true, description: 'Up to 20 characters, unique' },
					{
						displayName: 'ID',
						name: 'id',
						type: 'string',
						default: '',
						required: true,
						description: 'Comes back in the reply; up to 256 characters',
					},
				],
			},
		],
	},
];

export function read(parameters: ItemParameters, itemIndex: number): OutboundMessage {
	return {
		type: 'buttons',
		...interactiveFrame(parameters, itemIndex),
		buttons: collection(parameters, 'buttons', 'button', itemIndex).map((button) => ({
			id: String(button.id ?? ''),
			title: String(button.title ?? ''),
		})),
	};
}
