import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Channel } from '../channel/types';
import { invalidInput } from '../errors';
import {
	DEFAULT_CLOUD_RATE,
	DEFAULT_LITE_MAX_DELAY_MINUTES,
	DEFAULT_LITE_MIN_DELAY_MINUTES,
	MAX_CLOUD_RATE,
	type Pace,
	defaultConcurrency,
} from '../delivery/pace';
import type { DeliveryConfig } from '../delivery/segment';
import { DEFAULT_DAILY_QUOTA } from '../store/quota';
import { retryPolicyFrom } from './options';
import { STATE_NOTICE } from './store';

const MINUTE_MS = 60_000;

/** The "Delivery" collection of both sending nodes: campaign ledger, pace and daily quota. */
const deliveryProperty: INodeProperties = {
	displayName: 'Delivery',
	name: 'delivery',
	type: 'collection',
	placeholder: 'Add Delivery Setting',
	default: {},
	description: 'How a segment (one input item per recipient) is sent: once per recipient and campaign, paced, within a daily quota',
	options: [
		{
			displayName: 'Campaign ID',
			name: 'campaignId',
			type: 'string',
			default: '',
			placeholder: 'newsletter-{{ $now.toFormat("yyyy-MM-dd") }}',
			description: 'Recipients already sent in this campaign are skipped, so re-running after a crash or a stop sends only to the rest. Empty: this node in this execution is the campaign.',
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
			default: DEFAULT_DAILY_QUOTA,
			description: 'Messages per sender and UTC day, counted across executions (and n8n workers with Redis); recipients beyond it are skipped with the reset time. 0: no cap.',
		},
		{
			displayName: 'Maximum Delay (Minutes)',
			name: 'maxDelayMinutes',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 3 },
			default: DEFAULT_LITE_MAX_DELAY_MINUTES,
			description: 'Lite: each gap is random between the minimum and this',
			displayOptions: { show: { '/backend': ['lite'] } },
		},
		{
			displayName: 'Messages Per Second',
			name: 'messagesPerSecond',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_CLOUD_RATE },
			default: DEFAULT_CLOUD_RATE,
			description: 'Cloud API throughput per business phone number, shared by every execution sending from it (80 by default, up to 1,000 for upgraded numbers)',
			displayOptions: { show: { '/backend': ['cloud'] } },
		},
		{
			displayName: 'Minimum Delay (Minutes)',
			name: 'minDelayMinutes',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 3 },
			default: DEFAULT_LITE_MIN_DELAY_MINUTES,
			description: 'Lite: the shortest gap between two messages of this suit; WhatsApp Web numbers that send faster get banned',
			displayOptions: { show: { '/backend': ['lite'] } },
		},
		{
			displayName: 'Once Per Recipient',
			name: 'oncePerRecipient',
			type: 'boolean',
			default: true,
			description: 'Whether a recipient gets at most one message per campaign. Turn off to send several messages to one person in the same campaign.',
		},
	],
};

/** The Delivery collection and the note on where its state lives, shown where the node sends. */
export function deliveryProperties(displayOptions: IDisplayOptions): INodeProperties[] {
	return [
		{ ...deliveryProperty, displayOptions },
		{ displayName: STATE_NOTICE, name: 'stateNotice', type: 'notice', default: '', displayOptions },
	];
}

function number(value: unknown, fallback: number): number {
	return value === undefined || value === '' || value === null ? fallback : Number(value);
}

function paceFor(channel: Channel, delivery: IDataObject): Pace {
	if (channel.capabilities.pacing === 'rate') {
		const messagesPerSecond = number(delivery.messagesPerSecond, DEFAULT_CLOUD_RATE);
		if (!(messagesPerSecond >= 1 && messagesPerSecond <= MAX_CLOUD_RATE)) {
			throw invalidInput('Messages Per Second', messagesPerSecond, `is outside 1 to ${MAX_CLOUD_RATE}`, 'Use the throughput of your phone number: 80, or up to 1,000 when Meta upgraded it');
		}
		return { kind: 'rate', messagesPerSecond };
	}
	const minMs = number(delivery.minDelayMinutes, DEFAULT_LITE_MIN_DELAY_MINUTES) * MINUTE_MS;
	const maxMs = Math.max(minMs, number(delivery.maxDelayMinutes, DEFAULT_LITE_MAX_DELAY_MINUTES) * MINUTE_MS);
	if (!(minMs >= 0)) throw invalidInput('Minimum Delay (Minutes)', delivery.minDelayMinutes, 'is not a number of minutes', 'Enter 3 or more');
	return { kind: 'randomDelay', minMs, maxMs };
}

/** The delivery settings of one execution, read once from the first item (they describe the whole segment). */
export function deliveryConfigFrom(context: IExecuteFunctions, channel: Channel): DeliveryConfig {
	const delivery = context.getNodeParameter('delivery', 0, {}) as IDataObject;
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const pace = paceFor(channel, delivery);
	// By default each node of each execution is its own campaign: a reply text and then a picture to the same person
	// from two nodes are two messages, not a duplicate.
	const campaignId =
		String(delivery.campaignId ?? '').trim() || `${context.getWorkflow().id ?? 'workflow'}:${context.getExecutionId()}:${context.getNode().id}`;
	const quota = number(delivery.dailyQuota, channel.capabilities.defaultDailyQuota ?? 0);
	return {
		campaignId,
		oncePerRecipient: delivery.oncePerRecipient !== false,
		pace,
		concurrency: number(delivery.concurrency, 0) || defaultConcurrency(pace),
		dailyQuota: quota > 0 ? quota : undefined,
		retry: retryPolicyFrom(options),
	};
}
