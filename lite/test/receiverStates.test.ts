/**
 * Both campaign stores (MemoryCampaignStore, and RedisCampaignStore against a real Redis) driven through every row of
 * the receivers' state machine (RECEIVER_TRANSITIONS): every state with every step, the steps the table leaves out
 * included (those must be refused and change nothing).
 */
import type { Cluster, Redis } from 'ioredis';
import type { CampaignSettings } from '../src/campaign/bulkRequest';
import { MemoryCampaignStore } from '../src/campaign/memoryStore';
import { RedisCampaignStore } from '../src/campaign/redisStore';
import {
	emptyCounts,
	RECEIVER_STATES,
	RECEIVER_TRANSITIONS,
	type CampaignStore,
	type CampaignStoreOptions,
	type ReceiverEvent,
	type ReceiverState,
} from '../src/campaign/store';
import { silentLogger } from '../../contract/log';
import { connectRedis } from '../src/store/redis';
import { startRedis, uniquePrefix, type TestRedis } from '../../test/harness/redis';

let redis: TestRedis;
const clients: Array<Redis | Cluster> = [];
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => {
	for (const connection of clients) connection.disconnect();
	await redis.stop();
});

const options: CampaignStoreOptions = { minSendGapMs: 0, delayUnitMs: 1000, retentionSeconds: 3600, maxActiveCampaigns: 10 };
const settings: CampaignSettings = {
	id: 'c1',
	template: 'Hi',
	fields: {},
	minDelayMinutes: 0,
	maxDelayMinutes: 0,
	randomDelay: false,
	randomString: false,
};
const RECIPIENT = '4915123456789';
const now = new Date('2030-01-01T10:00:00Z');

/** Runs one step on the campaign's only receiver; true when the store took it, false when it refused. */
async function fire(store: CampaignStore, event: ReceiverEvent): Promise<boolean> {
	if (event === 'enqueue') return (await store.enqueue(settings, [{ recipient: RECIPIENT, data: {} }], now)).queued === 1;
	if (event === 'claim') return (await store.claimNext(now, 0)).kind === 'claimed';
	if (event === 'handOff')
		return store.handOff(settings.id, RECIPIENT).then(
			() => true,
			() => false,
		);
	if (event === 'cancel') return (await store.control(settings.id, 'cancel', now)) !== null;
	if (event === 'releaseCancelled') await store.control(settings.id, 'cancel', now);
	if (event === 'release' || event === 'releaseCancelled') return (await store.release(settings.id, RECIPIENT, now)) !== 'gone';
	const state = event.slice('record '.length) as 'sent' | 'failed' | 'unknown' | 'skipped';
	const outcome = state === 'sent' ? { state, messageId: 'wamid.1' } : { state, reason: 'test' };
	return await store.record(settings.id, RECIPIENT, outcome, now);
}

/** The shortest run of steps the table leads from `queued` (the receiver just enqueued) to `state`. */
function stepsTo(state: ReceiverState): ReceiverEvent[] {
	const paths = new Map<ReceiverState, ReceiverEvent[]>([['queued', []]]);
	for (const [from, path] of paths)
		for (const [event, to] of Object.entries(RECEIVER_TRANSITIONS[from]) as Array<[ReceiverEvent, ReceiverState]>)
			if (!paths.has(to)) paths.set(to, [...path, event]);
	const path = paths.get(state);
	if (!path) throw new Error(`The table leads nowhere to ${state}`);
	return path;
}

const EVENTS: ReceiverEvent[] = [
	'enqueue',
	'claim',
	'handOff',
	'record sent',
	'record failed',
	'record unknown',
	'record skipped',
	'release',
	'cancel',
];
/** Every state with every step (a cancelled campaign's release only where the table has it: it cancels first). */
const ROWS = RECEIVER_STATES.flatMap((from) =>
	[...EVENTS, ...(RECEIVER_TRANSITIONS[from].releaseCancelled ? (['releaseCancelled'] as const) : [])].map((event) => {
		const to = RECEIVER_TRANSITIONS[from][event];
		return { from, event, to, name: `${from}, ${event} → ${to ?? 'refused'}` };
	}),
);

/** Drives one store through a row: the receiver led to `from` by the table, then the row's step. */
async function runRow(store: CampaignStore, { from, event, to }: (typeof ROWS)[number]) {
	for (const step of ['enqueue', ...stepsTo(from)] as ReceiverEvent[]) expect(await fire(store, step)).toBe(true);
	const taken = await fire(store, event);
	const view = await store.view(settings.id, 0, 10);

	const state = to ?? from;
	expect({ taken, state: view?.items[0].state, counts: view?.counts }).toEqual({
		taken: to !== undefined,
		state,
		counts: { ...emptyCounts(), [state]: 1 },
	});
}

describe('RedisCampaignStore keeps the receivers state machine', () => {
	for (const row of ROWS) {
		it(row.name, async () => {
			const client = connectRedis({ url: redis.url }, silentLogger);
			clients.push(client);
			await runRow(new RedisCampaignStore(client, `${uniquePrefix()}lite:s:`, options), row);
		});
	}
});

describe('MemoryCampaignStore keeps the receivers state machine', () => {
	it.each(ROWS)('$name', (row) => runRow(new MemoryCampaignStore(options), row));
});

test('the table leads from queued to every state a receiver can be in', () => {
	for (const state of RECEIVER_STATES) expect(() => stepsTo(state)).not.toThrow();
});
