import type { INodeProperties } from 'n8n-workflow';
import { FLOW_CTA_MAX } from '../whatsapp/flowMessage';

const showFlow = (extra: Record<string, string[]> = {}) => ({ show: { resource: ['message'], operation: ['sendFlow'], ...extra } });

/** The Send Flow operation's fields: which Flow, its button, and what the first screen gets (Cloud API only). */
export const flowProperties: INodeProperties[] = [
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
