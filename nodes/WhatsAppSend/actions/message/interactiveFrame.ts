import type { INodeProperties } from 'n8n-workflow';
import type { ItemParameters } from '../../../whatsapp/n8n/itemParameters';
import { framedOperations, interactiveOperations, show } from './displayOptions';

/** WhatsApp Web has no interactive messages: said in the panel, next to the choice of what happens instead. */
export const liteInteractiveProperties: INodeProperties[] = [
	{
		displayName:
			'WhatsApp Web has no buttons, lists or link buttons. On the Lite container this message fails unless you choose Options › Interactive Messages on Lite › Send as Text With Numbered Choices: it then goes out as plain text with numbered choices (a link button as its link).',
		name: 'liteInteractiveNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['message'], operation: interactiveOperations, backend: ['lite'] } },
	},
];

export const interactiveFrameProperties: INodeProperties[] = [
	{
		displayName: 'Body Text',
		name: 'body',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		displayOptions: show(framedOperations),
	},
	{
		displayName: 'Header Text',
		name: 'header',
		type: 'string',
		default: '',
		description: 'Up to 60 characters, shown in bold above the body',
		displayOptions: show(framedOperations),
	},
	{
		displayName: 'Footer Text',
		name: 'footer',
		type: 'string',
		default: '',
		description: 'Up to 60 characters, shown in grey below the body',
		displayOptions: show(framedOperations),
	},
];

/** The body, header and footer of a framed message (displayOptions.ts). */
export function interactiveFrame(parameters: ItemParameters, itemIndex: number) {
	return {
		body: parameters.text('body', itemIndex),
		header: parameters.optionalText('header', itemIndex),
		footer: parameters.optionalText('footer', itemIndex),
	};
}
