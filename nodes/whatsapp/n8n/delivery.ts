import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CampaignSink, Channel } from '../channel/types';
import { invalidInput } from '../../../contract/errors';
import type { CampaignDelays, CampaignHandOff } from '../delivery/handOff';
import { DEFAULT_CLOUD_RATE, MAX_CLOUD_RATE, type Pace, defaultConcurrency } from '../delivery/pace';
import { DEFAULT_MAX_DELAY_MINUTES, DEFAULT_MIN_DELAY_MINUTES, MAX_DELAY_MINUTES } from '../../../contract/limits';
import type { DailyCap, DeliveryConfig } from '../delivery/segment';
import { DEFAULT_DAILY_QUOTA, quotaDay, quotaKey } from '../../../contract/quota';
import { sendToOptedOutProperty } from './optOutSkips';
import { retryPolicyFrom } from './options';

/** The nodes' Daily Quota when none is set: no cap of their own (the Lite container keeps its DAILY_QUOTA). */
const NO_DAILY_CAP = 0;

/** The "Delivery" collection of both sending nodes: campaign ledger, pace and daily quota. */
const deliveryProperty: INodeProperties = {
	displayName: 'Delivery',
	name: 'delivery',
	type: 'collection',
	placeholder: 'Add Delivery Setting',
	default: {},
	description:
		'How a segment (one input item per recipient) is sent: once per recipient and campaign, paced, within a daily quota. With several n8n workers (queue mode), pick a credential for WhatsApp Shared State (Redis) above so they share this state; otherwise it is kept in this n8n process.',
	options: [
		{
			displayName: 'Campaign ID',
			name: 'campaignId',
			type: 'string',
			default: '',
			placeholder: 'newsletter-{{ $now.toFormat("yyyy-MM-dd") }}',
			description:
				"Recipients already sent (or queued) in this campaign are skipped, so re-running after a crash or a stop sends only to the rest. Empty: this node in this execution is the campaign, and n8n's Retry of the execution continues it.",
		},
		{
			displayName: 'Concurrent Requests',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 500 },
			default: 0,
			description: 'Requests in flight at once; 0 picks enough to keep the rate with up to half a second of latency',
			displayOptions: { show: { '/backend': ['cloud'] } },
		},
		{
			displayName: 'Daily Quota',
			name: 'dailyQuota',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: NO_DAILY_CAP,
			hint: '0 means no limit set here',
			description:
				"Cloud API: messages per phone number and UTC day, counted across executions (and n8n workers with Redis). Lite: the container counts every message of its WhatsApp number against its own daily limit; this is an extra cap for this workflow's messages sent from n8n. Recipients beyond it are skipped with the reset time. 0: no cap.",
		},
		{
			displayName: 'Delay From (Minutes)',
			name: 'minDelayMinutes',
			type: 'number',
			// No numberPrecision: n8n would show 3 as "3.000"; fractions such as 0.5 are still accepted.
			typeOptions: { minValue: 0, maxValue: MAX_DELAY_MINUTES },
			default: DEFAULT_MIN_DELAY_MINUTES,
			description:
				'Container Campaign: the shortest gap between two messages; WhatsApp Web numbers that send faster get banned. The container never goes below its own MIN_DELAY_MINUTES.',
			displayOptions: { show: { '/backend': ['lite'] } },
		},
		{
			displayName: 'Delay Up To (Minutes)',
			name: 'maxDelayMinutes',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: MAX_DELAY_MINUTES },
			default: DEFAULT_MAX_DELAY_MINUTES,
			description: 'Container Campaign: each gap is random between Delay From and this',
			displayOptions: { show: { '/backend': ['lite'] } },
		},
		{
			displayName: 'Delivery Mode',
			name: 'mode',
			type: 'options',
			default: 'automatic',
			options: [
				{
					name: 'Automatic',
					value: 'automatic',
					description: 'Container Campaign for two or more messages with a Delay From of a minute or more; otherwise Send From n8n',
				},
				{
					name: 'Container Campaign',
					value: 'campaign',
					description:
						'Hand the whole segment to the container, which sends it at the Delay From / Delay Up To gaps; the execution ends in seconds and each item says queued',
				},
				{
					name: 'Send From N8n',
					value: 'direct',
					description: "Send each message now and wait for its answer (replies, small lists); the container still spaces the suit's sends",
				},
			],
			description:
				'Minute-scale delays would keep an n8n execution open for hours, and a restart or a timeout would cut the segment off. A Container Campaign is paced by the container, durably: it survives restarts of n8n and of the container. Follow it with the Get Campaign operation and the WhatsApp Trigger.',
			displayOptions: { show: { '/backend': ['lite'] } },
		},
		{
			displayName: 'Messages Per Second',
			name: 'messagesPerSecond',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_CLOUD_RATE },
			default: DEFAULT_CLOUD_RATE,
			description:
				'Cloud API throughput per business phone number, shared by every execution sending from it (80 by default, up to 1,000 for upgraded numbers)',
			displayOptions: { show: { '/backend': ['cloud'] } },
		},
		{
			displayName: 'Once Per Recipient',
			name: 'oncePerRecipient',
			type: 'boolean',
			default: true,
			description:
				'Whether a recipient gets at most one message per campaign. Turn off to send several messages to one person in the same campaign (Send From n8n only).',
		},
		sendToOptedOutProperty,
	],
};

/** The container's own limit, which no setting of the node can raise: said where a Lite send is set up. */
const liteQuotaNotice: INodeProperties = {
	displayName: `The Lite container sends at most ${DEFAULT_DAILY_QUOTA} messages a day (its DAILY_QUOTA setting), counting every workflow's; past it, sends wait for the next UTC day or fail. Its status page shows today's count. Delivery › Daily Quota can cap this workflow lower.`,
	name: 'liteQuotaNotice',
	type: 'notice',
	default: '',
};

/**
 * The Delivery collection, shown where the node sends. Where its state lives is said by the Redis credential field
 * every panel shows, and in the collection's description, not by a notice on every panel.
 */
export function deliveryProperties(displayOptions: IDisplayOptions): INodeProperties[] {
	return [
		{ ...liteQuotaNotice, displayOptions: { ...displayOptions, show: { ...displayOptions.show, backend: ['lite'] } } },
		{ ...deliveryProperty, displayOptions },
	];
}

function number(value: unknown, fallback: number): number {
	return value === undefined || value === '' || value === null ? fallback : Number(value);
}

function paceFor(channel: Channel, delivery: IDataObject): Pace {
	if (channel.capabilities.pacing === 'container') return { kind: 'container' };
	const messagesPerSecond = number(delivery.messagesPerSecond, DEFAULT_CLOUD_RATE);
	if (!(messagesPerSecond >= 1 && messagesPerSecond <= MAX_CLOUD_RATE)) {
		throw invalidInput(
			'Messages Per Second',
			messagesPerSecond,
			`is outside 1 to ${MAX_CLOUD_RATE}`,
			'Use the throughput of your phone number: 80, or up to 1,000 when Meta upgraded it',
		);
	}
	return { kind: 'rate', messagesPerSecond };
}

/** The gaps of a Container Campaign, in minutes as the Notify body carries them (the container takes 0 to one day). */
function campaignDelaysFrom(delivery: IDataObject): CampaignDelays {
	const minutes = (field: string, name: string, fallback: number, fix: string) => {
		const value = number(delivery[name], fallback);
		if (!(value >= 0 && value <= MAX_DELAY_MINUTES))
			throw invalidInput(field, delivery[name], `is not a number of minutes from 0 to ${MAX_DELAY_MINUTES} (one day)`, fix);
		return value;
	};
	const minDelayMinutes = minutes(
		'Delay From (Minutes)',
		'minDelayMinutes',
		DEFAULT_MIN_DELAY_MINUTES,
		`Enter ${DEFAULT_MIN_DELAY_MINUTES} or more`,
	);
	const maxDelayMinutes = minutes(
		'Delay Up To (Minutes)',
		'maxDelayMinutes',
		DEFAULT_MAX_DELAY_MINUTES,
		'Enter a number of minutes at least Delay From',
	);
	return { minDelayMinutes, maxDelayMinutes: Math.max(minDelayMinutes, maxDelayMinutes) };
}

/** Minute-scale gaps between messages are the container's job: an n8n execution cannot wait hours. */
const CAMPAIGN_FROM_MINUTES = 1;

function handsOff(delivery: IDataObject, delays: CampaignDelays, sends: number): boolean {
	const mode = String(delivery.mode ?? 'automatic');
	if (mode === 'campaign') return true;
	if (mode === 'direct') return false;
	return sends > 1 && delays.minDelayMinutes >= CAMPAIGN_FROM_MINUTES;
}

/**
 * The campaign a node's sends belong to when no Campaign ID is set: this node in this execution. It is kept in
 * the execution's custom data, which n8n copies into a retried execution, so Retry continues the campaign.
 */
function defaultCampaignId(context: IExecuteFunctions): string {
	const node = context.getNode();
	const key = `wa_campaign_${node.id.replace(/[^A-Za-z0-9_]/g, '')}`.slice(0, 50);
	const customData = context.getWorkflowDataProxy(0).$execution?.customData;
	const kept = customData?.get(key);
	if (kept) return String(kept);
	const campaignId = `${context.getWorkflow().id ?? 'workflow'}:${context.getExecutionId()}:${node.id}`;
	customData?.set(key, campaignId);
	return campaignId;
}

/** The nodes' own daily count: the sender's on Cloud (the nodes are its only authority), an extra cap per workflow on Lite. */
function dailyCapFrom(context: IExecuteFunctions, channel: Channel, delivery: IDataObject): DailyCap | undefined {
	const limit = number(delivery.dailyQuota, NO_DAILY_CAP);
	if (!(limit > 0)) return undefined;
	if (channel.capabilities.pacing === 'rate') return { limit, key: (now) => quotaKey(channel.senderId, now) };
	const workflowId = context.getWorkflow().id ?? 'workflow';
	return { limit, key: (now) => `wa_automator:cap:${channel.backend}:${channel.senderId}:${workflowId}:${quotaDay(now)}` };
}

export type DeliveryPlan = { mode: 'direct'; config: DeliveryConfig } | { mode: 'campaign'; sink: CampaignSink; campaign: CampaignHandOff };

/** How one execution's sends go out, read once from the first item (the settings describe the whole segment). */
export function deliveryPlanFrom(context: IExecuteFunctions, channel: Channel, sends: number): DeliveryPlan {
	const delivery = context.getNodeParameter('delivery', 0, {}) as IDataObject;
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const campaignId = String(delivery.campaignId ?? '').trim() || defaultCampaignId(context);
	const retry = retryPolicyFrom(options);
	if (channel.campaigns) {
		const delays = campaignDelaysFrom(delivery);
		if (handsOff(delivery, delays, sends)) {
			return {
				mode: 'campaign',
				sink: channel.campaigns,
				campaign: { campaignId, campaignName: context.getWorkflow().name ?? campaignId, delays, retry },
			};
		}
	}
	const pace = paceFor(channel, delivery);
	return {
		mode: 'direct',
		config: {
			campaignId,
			oncePerRecipient: delivery.oncePerRecipient !== false,
			pace,
			concurrency: number(delivery.concurrency, 0) || defaultConcurrency(pace),
			dailyCap: dailyCapFrom(context, channel, delivery),
			retry,
			log: context.logger,
		},
	};
}
