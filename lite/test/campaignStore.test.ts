import type { Cluster, Redis } from 'ioredis';
import type { CampaignSettings, QueuedReceiver } from '../src/campaign/bulkRequest';
import { MemoryCampaignStore } from '../src/campaign/memoryStore';
import { campaignBase } from '../src/campaign/keys';
import { RedisCampaignStore } from '../src/campaign/redisStore';
import type { CampaignStore, CampaignStoreOptions } from '../src/campaign/store';
import { silentLogger } from '../../contract/log';
import { connectRedis } from '../src/store/redis';
import { startRedis, uniquePrefix, type TestRedis } from '../../test/harness/redis';
import { startRedisCluster, type TestRedisCluster } from '../../test/harness/redisCluster';

let redis: TestRedis;
let cluster: TestRedisCluster;
const clients: Array<Redis | Cluster> = [];
const connect = (target: Parameters<typeof connectRedis>[0]) => {
	const connection = connectRedis(target, silentLogger);
	clients.push(connection);
	return connection;
};
const client = () => connect({ url: redis.url });
beforeAll(async () => {
	[redis, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
});
afterAll(async () => {
	for (const connection of clients) connection.disconnect();
	await Promise.all([redis.stop(), cluster.stop()]);
});

const options: CampaignStoreOptions = { minSendGapMs: 1_000, delayUnitMs: 10_000, retentionSeconds: 3_600, maxActiveCampaigns: 2 };
const settings = (id: string, extra: Partial<CampaignSettings> = {}): CampaignSettings => ({
	id,
	name: 'Spring',
	template: 'Hi {{userID}}',
	fields: { imageUrl: 'https://example.com/a.jpg' },
	minDelayMinutes: 3,
	maxDelayMinutes: 6,
	randomDelay: true,
	randomString: false,
	...extra,
});
const receivers = (...numbers: string[]): QueuedReceiver[] =>
	numbers.map((recipient, i) => ({ recipient, userID: `u${i}`, data: { mobileNum: recipient } }));
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

describe.each([
	['RedisCampaignStore', () => new RedisCampaignStore(client(), `${uniquePrefix()}lite:s:`, options) as CampaignStore],
	// Each script's keys share the suit's hash tag (campaignBase), or the Cluster refuses the call (CROSSSLOT).
	[
		'RedisCampaignStore on a Redis Cluster',
		() => new RedisCampaignStore(connect({ clusterNodes: cluster.nodes }), campaignBase(uniquePrefix(), 's'), options) as CampaignStore,
	],
	['MemoryCampaignStore', () => new MemoryCampaignStore(options) as CampaignStore],
])('%s', (_, create) => {
	let store: CampaignStore;
	beforeEach(() => {
		store = create();
	});

	it('queues each receiver once per campaign, all of a request or none, and refuses other settings', async () => {
		expect(await store.enqueue(settings('c1'), receivers('491', '492'), at(0))).toEqual({ queued: 2, alreadyQueued: [], cancelled: [] });
		expect(await store.enqueue(settings('c1', { name: 'renamed' }), receivers('492', '493'), at(1))).toEqual({
			queued: 1,
			alreadyQueued: ['492'],
			cancelled: [],
		});
		await expect(store.enqueue(settings('c1', { template: 'Other' }), receivers('494'), at(2))).rejects.toMatchObject({
			status: 409,
			code: 'CAMPAIGN_SETTINGS_DIFFER',
		});
		await expect(
			store.enqueue(settings('c1', { fields: { videoUrl: 'https://example.com/v.mp4' } }), receivers('494'), at(2)),
		).rejects.toMatchObject({ code: 'CAMPAIGN_SETTINGS_DIFFER' });
		expect((await store.view('c1', 0, 10))!.items.map((item) => [item.recipient, item.state])).toEqual([
			['491', 'queued'],
			['492', 'queued'],
			['493', 'queued'],
		]);
		expect(await store.depth()).toBe(3);
		await store.enqueue(settings('c2'), receivers('491'), at(3));
		await expect(store.enqueue(settings('c3'), receivers('491'), at(4))).rejects.toMatchObject({ status: 429, code: 'TOO_MANY_CAMPAIGNS' });
	});

	it('claims in order, takes the pace slot with the claim, and records outcomes once', async () => {
		await store.enqueue(settings('c1'), receivers('491', '492', '493'), at(0));
		const first = await store.claimNext(at(0), 0.5);
		expect(first).toEqual({ kind: 'claimed', campaignId: 'c1', receiver: receivers('491')[0], gapMs: 45_000 });
		// The campaign gap (3 + 0.5 × 3 minutes of 10 s) and the suit's gap both count from the claim.
		expect(await store.claimNext(at(44_999), 0)).toEqual({ kind: 'wait', ms: 1 });
		expect(await store.nextCampaignSendAt('c1')).toBe(at(45_000).getTime());
		await store.handOff('c1', '491');
		expect(await store.inFlight()).toEqual([{ campaignId: 'c1', receiver: receivers('491')[0], handedOff: true }]);
		expect(await store.record('c1', '491', { state: 'sent', messageId: 'm1' }, at(10))).toBe(true);
		expect(await store.record('c1', '491', { state: 'sent', messageId: 'm1' }, at(11))).toBe(false);
		// Measured again from the send: 100 ms after the claim, so the next claim waits until 45.1 s.
		await store.record('c1', '492', { state: 'sent', messageId: 'never claimed' }, at(20), { sentAt: at(100).getTime(), gapMs: 45_000 });
		expect(await store.claimNext(at(45_050), 0)).toEqual({ kind: 'wait', ms: 50 });
		const second = await store.claimNext(at(45_100), 0);
		expect(second).toMatchObject({ kind: 'claimed', receiver: { recipient: '492' }, gapMs: 30_000 });
		expect(await store.release('c1', '492', at(45_101))).toBe('queued');
		expect(await store.inFlight()).toEqual([]);
		expect((await store.claimNext(at(75_100), 0)) as object).toMatchObject({ receiver: { recipient: '492' } });
		const view = await store.view('c1', 0, 10);
		expect(view!.counts).toEqual({ queued: 1, sending: 1, sent: 1, failed: 0, skipped: 0, unknown: 0 });
		expect(view!.items[0]).toEqual({ recipient: '491', userID: 'u0', state: 'sent', messageId: 'm1', updatedAt: at(10).toISOString() });
	});

	it('pauses, resumes, cancels (skipping who is left) and ends a campaign once nothing is in flight', async () => {
		await store.enqueue(settings('c1', { randomDelay: false }), receivers('491', '492', '493'), at(0));
		expect(await store.control('c1', 'pause', at(1))).toEqual({ state: 'paused', skipped: [] });
		expect(await store.claimNext(at(2), 0)).toEqual({ kind: 'idle' });
		expect(await store.control('c1', 'resume', at(3))).toEqual({ state: 'running', skipped: [] });
		expect(await store.claimNext(at(4), 0)).toMatchObject({ kind: 'claimed', receiver: { recipient: '491' } });
		expect(await store.control('c1', 'cancel', at(5))).toEqual({ state: 'cancelled', skipped: receivers('491', '492', '493').slice(1) });
		expect(await store.enqueue(settings('c1', { randomDelay: false }), receivers('494'), at(6))).toEqual({
			queued: 0,
			alreadyQueued: [],
			cancelled: ['494'],
		});
		// '491' is still in flight: the campaign ends only after its outcome.
		expect(await store.claimNext(at(1_000_000), 0)).toEqual({ kind: 'idle' });
		expect(await store.release('c1', '491', at(7))).toBe('skipped');
		expect(await store.claimNext(at(1_000_000), 0)).toEqual({ kind: 'ended', campaignId: 'c1' });
		await store.forget('c1');
		expect(await store.claimNext(at(1_000_001), 0)).toEqual({ kind: 'idle' });
		const view = await store.view('c1', 1, 1);
		expect(view).toMatchObject({
			state: 'cancelled',
			total: 3,
			endedAt: at(1_000_000).toISOString(),
			counts: { skipped: 3, queued: 0, sending: 0 },
		});
		expect(view!.items).toEqual([
			{ recipient: '492', userID: 'u1', state: 'skipped', reason: 'campaign cancelled', updatedAt: at(5).toISOString() },
		]);
		expect(await store.control('missing', 'pause', at(8))).toBeNull();
		expect(await store.view('missing', 0, 1)).toBeNull();
	});

	it('finishes a campaign and opens it again for a later chunk', async () => {
		await store.enqueue(settings('c1', { minDelayMinutes: 0, maxDelayMinutes: 0 }), receivers('491'), at(0));
		await store.claimNext(at(0), 0);
		await store.record('c1', '491', { state: 'unknown', reason: 'may have been sent' }, at(1));
		expect(await store.claimNext(at(2_000), 0)).toEqual({ kind: 'ended', campaignId: 'c1' });
		expect((await store.view('c1', 0, 0))!.state).toBe('finished');
		expect((await store.enqueue(settings('c1', { minDelayMinutes: 0, maxDelayMinutes: 0 }), receivers('491', '492'), at(3))).queued).toBe(
			1,
		);
		expect((await store.view('c1', 0, 0))!.state).toBe('running');
		expect(await store.claimNext(at(2_000), 0)).toMatchObject({ kind: 'claimed', receiver: { recipient: '492' } });
	});

	it("holds a campaign by its own gaps only: another campaign waits for the suit's minimum gap, not for them", async () => {
		await store.enqueue(settings('slow', { minDelayMinutes: 1440, maxDelayMinutes: 1440 }), receivers('491', '492'), at(0));
		expect(await store.claimNext(at(0), 0)).toMatchObject({ campaignId: 'slow', gapMs: 1440 * 10_000 });
		await store.enqueue(settings('fast', { minDelayMinutes: 0, maxDelayMinutes: 0 }), receivers('493', '494'), at(1));
		expect(await store.claimNext(at(1), 0)).toEqual({ kind: 'wait', ms: 999 });
		expect(await store.claimNext(at(1_000), 0)).toMatchObject({ campaignId: 'fast', receiver: { recipient: '493' } });
		expect(await store.claimNext(at(2_000), 0)).toMatchObject({ campaignId: 'fast', receiver: { recipient: '494' } });
		expect(await store.nextCampaignSendAt('slow')).toBe(at(1440 * 10_000).getTime());
		expect(await store.nextCampaignSendAt('fast')).toBe(at(3_000).getTime());
		expect(await store.control('slow', 'cancel', at(3_000))).toMatchObject({
			state: 'cancelled',
			skipped: receivers('491', '492').slice(1),
		});
	});

	it("gives single sends the suit's pace slots in turn, bounded by the longest wait", async () => {
		expect(await store.reserveSendSlot(at(0), 1_500)).toEqual({ granted: true, slotAt: at(0).getTime() });
		expect(await store.reserveSendSlot(at(0), 1_500)).toEqual({ granted: true, slotAt: at(1_000).getTime() });
		expect(await store.reserveSendSlot(at(0), 1_500)).toEqual({ granted: false, retryAfterMs: 2_000 });
		await store.enqueue(settings('c1'), receivers('491'), at(0));
		expect(await store.claimNext(at(1_500), 0)).toEqual({ kind: 'wait', ms: 500 });
	});
});

it('gives every campaign key and pace key a TTL, campaign keys the retention time from their last change', async () => {
	const prefix = uniquePrefix();
	const store = new RedisCampaignStore(client(), `${prefix}lite:s:`, options);
	const inspect = client();
	try {
		await store.enqueue(settings('c1'), receivers('491', '492'), at(0));
		await store.claimNext(new Date(), 0);
		await store.reserveSendSlot(new Date(), 60_000);
		const keys = await inspect.keys(`${prefix}*`);
		expect(keys.length).toBeGreaterThanOrEqual(8);
		for (const key of keys) {
			const ttl = await inspect.ttl(key);
			expect([key, ttl > 0 && ttl <= options.retentionSeconds]).toEqual([key, true]);
		}
	} finally {
		inspect.disconnect();
	}
});

it('claims and cancels a campaign whose stored gap is Infinity (kept by a gateway before delays were bounded)', async () => {
	const base = `${uniquePrefix()}lite:s:`;
	const store = new RedisCampaignStore(client(), base, options);
	await store.enqueue(settings('old'), receivers('491', '492'), at(0));
	await store.enqueue(settings('other', { minDelayMinutes: 0, maxDelayMinutes: 0 }), receivers('493'), at(0));
	await client().hset(`${base}campaign:old`, 'minGapMs', 'Infinity', 'maxGapMs', 'Infinity');
	expect(await store.claimNext(at(0), 0.5)).toMatchObject({ campaignId: 'old', gapMs: 1440 * 10_000 });
	expect(await store.claimNext(at(1_000), 0)).toMatchObject({ campaignId: 'other' });
	expect(await store.control('old', 'cancel', at(2_000))).toMatchObject({ state: 'cancelled', skipped: receivers('491', '492').slice(1) });
});

describe('MemoryCampaignStore bounded in bytes', () => {
	const many = (from: number, count: number) => receivers(...Array.from({ length: count }, (__, i) => String(4915100000000 + from + i)));
	const end = async (store: MemoryCampaignStore, id: string, now: Date) => {
		await store.control(id, 'cancel', now);
		expect(await store.claimNext(now, 0)).toEqual({ kind: 'ended', campaignId: id });
		await store.forget(id);
	};

	it('refuses with 507 STORE_FULL, queuing nothing, when running campaigns hold its limit', async () => {
		const store = new MemoryCampaignStore({ ...options, maxActiveCampaigns: 100 }, 40_000);
		expect((await store.enqueue(settings('a'), many(0, 50), at(0))).queued).toBe(50);
		await expect(store.enqueue(settings('b'), many(100, 200), at(1))).rejects.toMatchObject({
			status: 507,
			code: 'STORE_FULL',
			message: expect.stringContaining('limit of 40000 bytes (MEMORY_STORE_MAX_BYTES): nothing was queued'),
		});
		expect(await store.view('b', 0, 0)).toBeNull();
		await expect(store.enqueue(settings('a'), many(50, 200), at(2))).rejects.toMatchObject({ code: 'STORE_FULL' });
		expect((await store.view('a', 0, 0))!.total).toBe(50);
		// Receivers already queued take no more room.
		expect(await store.enqueue(settings('a'), many(0, 50), at(3))).toMatchObject({ queued: 0 });
	});

	it('evicts ended campaigns oldest end first to make room, and keeps running ones', async () => {
		const store = new MemoryCampaignStore({ ...options, maxActiveCampaigns: 100 }, 40_000);
		await store.enqueue(settings('running'), many(0, 20), at(0));
		for (let i = 0; i < 30; i++) {
			await store.enqueue(settings(`ended${i}`), many(1000 + i * 20, 20), at(i));
			await end(store, `ended${i}`, at(i + 1));
		}
		expect(await store.view('ended0', 0, 0)).toBeNull();
		expect((await store.view('ended29', 0, 0))!.state).toBe('cancelled');
		expect((await store.view('running', 0, 0))!.counts.queued).toBe(20);
	});
});
