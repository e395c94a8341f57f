import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { CampaignSink, Channel } from '../channel/types';
import { withRetries } from '../delivery/retry';
import { WhatsAppError, invalidInput } from '../errors';
import { errorItemJson, toNodeError } from './nodeErrors';
import { retryPolicyFrom } from './options';

const forCampaigns = (operation?: string[]) => ({ show: { resource: ['campaign'], ...(operation && { operation }) } });

/** The container answers at most this many recipients per page (docs/lite-api.md). */
const PAGE_SIZE = 500;
/** Recipient items one Get returns at most: a bound on memory, far above a WhatsApp Web number's daily reach. */
const MAX_RECIPIENT_ITEMS = 100_000;

export const campaignProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: forCampaigns(),
		options: [
			{ name: 'Cancel', value: 'cancel', action: 'Cancel a campaign', description: 'Stop it for good: every receiver still queued becomes skipped' },
			{ name: 'Get', value: 'get', action: 'Get a campaign', description: 'Counts, next send, quota and per-recipient states' },
			{ name: 'Pause', value: 'pause', action: 'Pause a campaign', description: 'Hold its remaining sends until it is resumed' },
			{ name: 'Resume', value: 'resume', action: 'Resume a campaign' },
		],
		default: 'get',
	},
	{
		displayName: 'Campaign ID',
		name: 'campaignId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.campaignId }}',
		description: 'The campaignId on the items of the sending node (its Delivery setting, or the ID it made up)',
		displayOptions: forCampaigns(),
	},
	{
		displayName: 'Output',
		name: 'campaignOutput',
		type: 'options',
		options: [
			{ name: 'Summary', value: 'summary', description: 'One item: state, counts, next send time and quota' },
			{ name: 'Recipients', value: 'recipients', description: 'One item per recipient with its state, message ID or reason' },
		],
		default: 'summary',
		displayOptions: forCampaigns(['get']),
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show: { resource: ['campaign'], operation: ['get'], campaignOutput: ['recipients'] } },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { resource: ['campaign'], operation: ['get'], campaignOutput: ['recipients'], returnAll: [false] } },
	},
];

function campaignsOf(channel: Channel): CampaignSink {
	if (channel.campaigns) return channel.campaigns;
	throw new WhatsAppError('Campaign operations need the Lite container', {
		kind: 'capability',
		field: 'Resource',
		description: 'On the Cloud API the nodes send segments themselves; no backend keeps a campaign to report on or steer',
		fix: 'Read each item of the sending node (status, messageId, reason), and follow deliveries with the WhatsApp Trigger\'s status events',
	});
}

/** Every recipient row up to `limit` (all with Infinity), page by page. */
async function recipientRows(sink: CampaignSink, campaignId: string, limit: number, call: <T>(operation: () => Promise<T>) => Promise<T>): Promise<IDataObject[]> {
	const rows: IDataObject[] = [];
	// One more than the bound, to know whether the bound was passed.
	const wanted = Math.min(limit, MAX_RECIPIENT_ITEMS + 1);
	while (rows.length < wanted) {
		const page = await call(() => sink.report(campaignId, { offset: rows.length, limit: Math.min(PAGE_SIZE, wanted - rows.length) }));
		rows.push(...page.recipients.items.map((row) => ({ campaignId, campaignState: page.state, ...row }) as IDataObject));
		if (!page.recipients.items.length || rows.length >= page.recipients.total) break;
	}
	if (rows.length > MAX_RECIPIENT_ITEMS) {
		throw invalidInput('Return All', true, `would return more than ${MAX_RECIPIENT_ITEMS.toLocaleString('en')} recipient items`, 'Turn Return All off and set a Limit, or use Output "Summary" for the counts');
	}
	return rows;
}

async function runOne(context: IExecuteFunctions, channel: Channel, itemIndex: number): Promise<IDataObject[]> {
	const sink = campaignsOf(channel);
	const operation = context.getNodeParameter('operation', itemIndex) as 'get' | 'pause' | 'resume' | 'cancel';
	const campaignId = String(context.getNodeParameter('campaignId', itemIndex, '') ?? '').trim();
	if (!campaignId) throw invalidInput('Campaign ID', campaignId, 'is empty', 'Map the campaignId of the sending node\'s items, e.g. {{ $json.campaignId }}');
	const policy = retryPolicyFrom({});
	// Reading and steering a campaign are safe to repeat.
	const call = async <T>(operation: () => Promise<T>) => (await withRetries(operation, policy, { idempotent: true })).value;
	if (operation !== 'get') return [(await call(() => sink.control(campaignId, operation))) as unknown as IDataObject];
	if (context.getNodeParameter('campaignOutput', itemIndex, 'summary') === 'recipients') {
		const returnAll = context.getNodeParameter('returnAll', itemIndex, false) as boolean;
		return await recipientRows(sink, campaignId, returnAll ? Infinity : Number(context.getNodeParameter('limit', itemIndex, 50)), call);
	}
	const { recipients, ...summary } = await call(() => sink.report(campaignId, { offset: 0, limit: 1 }));
	return [{ ...summary, recipients: recipients.total } as IDataObject];
}

/** Get, Pause, Resume or Cancel for each input item; Get with Recipients gives one item per recipient. */
export async function runCampaignOperations(context: IExecuteFunctions, channel: Channel): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	const items = context.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			for (const json of await runOne(context, channel, itemIndex)) output.push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (!context.continueOnFail()) throw toNodeError(context.getNode(), error, itemIndex);
			output.push({ json: errorItemJson(error), pairedItem: { item: itemIndex } });
		}
	}
	return output;
}
