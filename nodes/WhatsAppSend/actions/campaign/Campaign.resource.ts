import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { CampaignSink, Channel } from '../../../whatsapp/channel/types';
import { type Call, campaignReport } from '../../../whatsapp/delivery/campaignReport';
import { withRetries } from '../../../whatsapp/delivery/retry';
import { WhatsAppError, invalidInput } from '../../../../contract/errors';
import type { StateStore } from '../../../whatsapp/store/types';
import { errorItemJson, toNodeError } from '../../../whatsapp/n8n/nodeErrors';
import { retryPolicyFrom } from '../../../whatsapp/n8n/options';
import { stateStoreFor } from '../../../whatsapp/n8n/store';

const forCampaigns = (operation?: string[]) => ({ show: { resource: ['campaign'], ...(operation && { operation }) } });

const reportOperations = [
	{
		name: 'Get',
		value: 'get',
		action: 'Get a campaign',
		description: 'Its report: sent, delivered, read, replied, failed and skipped, or a row per recipient',
	},
	{
		name: 'List by Day',
		value: 'list',
		action: 'List the campaigns of a day',
		description: 'The campaign IDs that sent or were handed over on a UTC day',
	},
];

/** Only a campaign handed to the Lite container can be steered: on the Cloud API a segment is sent within one execution. */
const steeringOperations = [
	{
		name: 'Cancel',
		value: 'cancel',
		action: 'Cancel a campaign',
		description: 'Stop it for good: every receiver still queued becomes skipped',
	},
	{ name: 'Pause', value: 'pause', action: 'Pause a campaign', description: 'Hold its remaining sends until it is resumed' },
	{
		name: 'Resume',
		value: 'resume',
		action: 'Resume a campaign',
		description: 'Continue a paused campaign: its remaining messages go out at the gaps it was handed over with',
	},
];

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/**
 * The operations per backend, one property each (like Template Source). The Cloud one comes first and hides itself
 * on Lite rather than naming Cloud: n8n's node creator lists the first campaign Operation's choices and sets the
 * parameters its `show` names, so the creator offers Get and List by Day without choosing a backend.
 */
const operationProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { ...forCampaigns(), hide: { backend: ['lite'] } },
		options: reportOperations,
		default: 'get',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['campaign'], backend: ['lite'] } },
		options: [...reportOperations, ...steeringOperations].sort(byName),
		default: 'get',
	},
];

export const description: INodeProperties[] = [
	...operationProperties,
	{
		displayName: 'Campaign ID',
		name: 'campaignId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'spring-sale-2026-05',
		description: 'The campaignId on the items of the sending node (its Delivery setting, or the ID it made up)',
		hint: "Usually mapped from the sending node's output: drag its campaignId here, or write {{ $json.campaignId }}",
		displayOptions: forCampaigns(['get', 'pause', 'resume', 'cancel']),
	},
	{
		displayName: 'Day',
		name: 'day',
		type: 'string',
		default: '={{ $today.minus({ days: 1 }).toFormat("yyyy-MM-dd") }}',
		required: true,
		description: 'The UTC day (YYYY-MM-DD) whose campaigns to list; by default yesterday',
		displayOptions: forCampaigns(['list']),
	},
	{
		displayName: 'Output',
		name: 'campaignOutput',
		type: 'options',
		options: [
			{
				name: 'Summary',
				value: 'summary',
				description:
					'One item: counts (queued, sent, delivered, read, replied, failed by error, skipped by reason, opted out), first and last send',
			},
			{
				name: 'Recipients',
				value: 'recipients',
				description: 'One item per recipient: its state, message ID, delivery times, reply, error or reason',
			},
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
	{
		displayName: 'Cursor',
		name: 'cursor',
		type: 'string',
		default: '',
		description: "Where the page starts: empty for the first, else the nextCursor on the previous page's items (null there: no more pages)",
		displayOptions: { show: { resource: ['campaign'], operation: ['get'], campaignOutput: ['recipients'], returnAll: [false] } },
	},
];

function campaignsOf(channel: Channel): CampaignSink {
	if (channel.campaigns) return channel.campaigns;
	throw new WhatsAppError('Pause, Resume and Cancel need the Lite container', {
		kind: 'capability',
		field: 'Operation',
		description: 'On the Cloud API the nodes send a segment within one execution; no backend keeps a campaign to steer',
		fix: "Use Get for the campaign's report, or stop the sending workflow's execution",
	});
}

/** A page of rows from `cursor` (an offset, as the previous page's nextCursor gave it). */
function cursorOf(value: unknown): number {
	const text = String(value ?? '').trim();
	if (text === '') return 0;
	const offset = Number(text);
	if (!Number.isInteger(offset) || offset < 0)
		throw invalidInput(
			'Cursor',
			text,
			'is not a cursor of this report',
			"Leave it empty for the first page, or map nextCursor from the previous page's items",
		);
	return offset;
}

async function getCampaign(
	context: IExecuteFunctions,
	channel: Channel,
	store: StateStore,
	campaignId: string,
	itemIndex: number,
	call: Call,
): Promise<IDataObject[]> {
	const report = await campaignReport(channel, store, campaignId, call);
	const { container } = report;
	const head = { campaignId, backend: channel.backend, businessNumber: channel.senderId };
	if (context.getNodeParameter('campaignOutput', itemIndex, 'summary') !== 'recipients') {
		const fromContainer = container && {
			name: container.name,
			state: container.state,
			nextSendAt: container.nextSendAt,
			quota: container.quota,
		};
		return [{ ...head, ...fromContainer, recipients: report.summary.counts.total, ...report.summary } as IDataObject];
	}
	const returnAll = context.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const from = returnAll ? 0 : cursorOf(context.getNodeParameter('cursor', itemIndex, ''));
	const to = returnAll ? report.rows.length : from + Number(context.getNodeParameter('limit', itemIndex, 50));
	const nextCursor = to < report.rows.length ? String(to) : null;
	return report.rows
		.slice(from, to)
		.map((row) => ({ ...head, ...(container && { campaignState: container.state }), ...row, nextCursor }) as unknown as IDataObject);
}

async function listCampaigns(context: IExecuteFunctions, channel: Channel, store: StateStore, itemIndex: number): Promise<IDataObject[]> {
	const day = String(context.getNodeParameter('day', itemIndex, '') ?? '').trim();
	const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
	if (!match)
		throw invalidInput(
			'Day',
			day,
			'is not a date',
			'Enter a UTC day as YYYY-MM-DD, e.g. {{ $today.minus({ days: 1 }).toFormat("yyyy-MM-dd") }}',
		);
	const ids = await store.reports.campaignsOn(channel.backend, channel.senderId, `${match[1]}${match[2]}${match[3]}`);
	return ids.map((campaignId) => ({
		campaignId,
		day: `${match[1]}-${match[2]}-${match[3]}`,
		backend: channel.backend,
		businessNumber: channel.senderId,
	}));
}

async function runOne(
	context: IExecuteFunctions,
	channel: Channel,
	store: () => Promise<StateStore>,
	itemIndex: number,
): Promise<IDataObject[]> {
	const operation = context.getNodeParameter('operation', itemIndex) as 'get' | 'list' | 'pause' | 'resume' | 'cancel';
	if (operation === 'list') return await listCampaigns(context, channel, await store(), itemIndex);
	const campaignId = String(context.getNodeParameter('campaignId', itemIndex, '') ?? '').trim();
	if (!campaignId)
		throw invalidInput(
			'Campaign ID',
			campaignId,
			'is empty',
			"Map the campaignId of the sending node's items, e.g. {{ $json.campaignId }}",
		);
	const policy = retryPolicyFrom({});
	// Reading and steering a campaign are safe to repeat.
	const call: Call = async (operation) => (await withRetries(operation, policy, { idempotent: true })).value;
	if (operation === 'get') return await getCampaign(context, channel, await store(), campaignId, itemIndex, call);
	const sink = campaignsOf(channel);
	return [(await call(() => sink.control(campaignId, operation))) as unknown as IDataObject];
}

/** Get, List, Pause, Resume or Cancel for each input item; Get with Recipients gives one item per recipient. */
export async function execute(context: IExecuteFunctions, channel: Channel): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	const items = context.getInputData();
	// Opened once, and only for a report or a list: steering a container campaign needs no store of the nodes.
	let opened: Promise<StateStore> | undefined;
	const store = () => (opened ??= stateStoreFor(context));
	try {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				for (const json of await runOne(context, channel, store, itemIndex)) output.push({ json, pairedItem: { item: itemIndex } });
			} catch (error) {
				if (!context.continueOnFail()) throw toNodeError(context.getNode(), error, itemIndex);
				output.push({ json: errorItemJson(error), pairedItem: { item: itemIndex } });
			}
		}
	} finally {
		// A store that never opened has nothing to close; its error was the failed item's.
		await (await opened?.catch(() => undefined))?.close();
	}
	return output;
}
