import { type TestRedis, startRedis, uniquePrefix } from '../harness/redis';
import { clusterConnection, startRedisCluster, type TestRedisCluster } from '../harness/redisCluster';
import { RedisStore } from '../../nodes/whatsapp/store/redis';
import { MemoryStore } from '../../nodes/whatsapp/store/memory';
import type { StateStore } from '../../nodes/whatsapp/store/types';

let redis: TestRedis;
let cluster: TestRedisCluster;
beforeAll(async () => {
	[redis, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
});
afterAll(async () => {
	await Promise.all([redis.stop(), cluster.stop()]);
});

async function redisStore(): Promise<StateStore> {
	const { hostname, port } = new URL(redis.url);
	return await RedisStore.connect({ host: hostname, port: Number(port), keyPrefix: uniquePrefix() });
}

const LEDGER = 'wa_automator:campaign:cloud:106540352242922:batch';
const TTL = 3600;

describe.each([
	['Redis', redisStore],
	['Redis Cluster', async () => await RedisStore.connect(clusterConnection(cluster))],
	['memory', async () => new MemoryStore()],
])('%s store, in one round trip', (_name, open) => {
	test('claims a batch of recipients as one at a time would: a repeat in the batch and a sent one are blocked, a failed one is claimed again', async () => {
		const store = await open();
		try {
			await store.recordOutcomes(
				LEDGER,
				[
					{ recipient: '491', entry: { status: 'sent', at: '2026-11-30T00:00:00.000Z', messageId: 'wamid.A' } },
					{ recipient: '492', entry: { status: 'failed', at: '2026-11-30T00:00:00.000Z', reason: 'HTTP 400' } },
				],
				TTL,
			);
			const blocking = await store.claimRecipients(LEDGER, ['491', '492', '493', '493'], TTL, 300);
			expect(blocking).toEqual([
				{ status: 'sent', at: '2026-11-30T00:00:00.000Z', messageId: 'wamid.A' },
				undefined,
				undefined,
				{ status: 'claimed', at: expect.any(String), until: expect.any(Number) },
			]);
			// The sent one started its message record for the reports.
			expect((await store.reports.messages('cloud', ['wamid.A']))[0]).toMatchObject({
				state: 'sent',
				campaignId: 'batch',
				recipient: '491',
			});
		} finally {
			await store.close();
		}
	});

	test('books consecutive send slots: the next booking starts after all of them', async () => {
		const store = await open();
		try {
			const key = 'wa_automator:pace:cloud:106540352242922';
			// The store translates Redis's clock to ours with the smallest offset it has seen, which can still shrink
			// after the first slot was read (an answer read late on a loaded machine): by at most that answer's round
			// trip, the most a translated slot can move against the next.
			const asked = Date.now();
			const first = await store.reserveSlot(key, 100, 5);
			const roundTripMs = Date.now() - asked;
			const next = await store.reserveSlot(key, 100);
			const answered = Date.now();
			// Five slots 100 ms apart; translating Redis's clock to ours may move a slot by a millisecond or two. The
			// next slot is "now" if the second booking came after all five (a stalled event loop), never later.
			expect(next - first).toBeGreaterThan(495 - roundTripMs);
			expect(next).toBeLessThanOrEqual(Math.max(first + 505, answered));
		} finally {
			await store.close();
		}
	});
});
