import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { ItemParameters } from '../../../whatsapp/n8n/itemParameters';
import type { OutboundMessage } from '../../../whatsapp/message';
import { collection } from './collection';
import { show } from './displayOptions';
import { interactiveFrame } from './interactiveFrame';

export const description: INodeProperties[] = [
	{
		displayName: 'List Button Text',
		name: 'buttonText',
		type: 'string',
		default: 'Choose',
		required: true,
		description: 'The label of the button that opens the list (up to 20 characters)',
		displayOptions: show(['sendList']),
	},
	{
		displayName: 'Rows',
		name: 'rows',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Row',
		description: 'Up to 10 rows; rows with the same section title are grouped',
		displayOptions: show(['sendList']),
		options: [
			{
				displayName: 'Row',
				name: 'row',
				values: [
					{ displayName: 'Title', name: 'title', type: 'string', default: '', required: true, description: 'Up to 24 characters' },
					{ displayName: 'ID', name: 'id', type: 'string', default: '', required: true, description: 'Comes back in the reply' },
					{ displayName: 'Description', name: 'description', type: 'string', default: '', description: 'Up to 72 characters' },
					{
						displayName: 'Section Title',
						name: 'section',
						type: 'string',
						default: '',
						description: 'Optional; needed when the list has several sections',
					},
				],
			},
		],
	},
];

function listSections(rows: IDataObject[]) {
	const sections = new Map<string, Array<{ id: string; title: string; description?: string }>>();
	for (const row of rows) {
		const section = String(row.section ?? '');
		const sectionRows = sections.get(section) ?? [];
		sectionRows.push({ id: String(row.id ?? ''), title: String(row.title ?? ''), description: String(row.description ?? '') || undefined });
		sections.set(section, sectionRows);
	}
	return [...sections].map(([title, sectionRows]) => ({ title: title || undefined, rows: sectionRows }));
}

export function read(parameters: ItemParameters, itemIndex: number): OutboundMessage {
	return {
		type: 'list',
		...interactiveFrame(parameters, itemIndex),
		buttonText: parameters.text('buttonText', itemIndex),
		sections: listSections(collection(parameters, 'rows', 'row', itemIndex)),
	};
}
