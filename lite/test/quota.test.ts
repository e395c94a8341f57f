import Redis from 'ioredis';
import { quotaKey, quotaResetAt } from '../../contract/quota';
import { API_KEY, startGateway, SUIT } from './helpers/gateway';
import { waitFor } from './helpers/wait';
import { startRedis, uniquePrefix, type TestRedis } from '../../test/harness/redis';
import { startRedisCluster, type TestRedisCluster } from '../../test/harness/redisCluster';

let redis: TestRedis;
let cluster: TestRedisCluster;
beforeAll(async () => {
	[redis, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
});
afterAll(() => Promise.all([redis.stop(), cluster.stop()]));

describe.each([
	['Redis', () => ({ redisUrl: redis.url })],
	['a Redis Cluster (REDIS_CLUSTER_NODES)', () => ({ redisClusterNodes: cluster.nodes })],
	['in-memory state', () => ({ redisUrl: undefined })],
])('the daily quota with %s', (_, state) => {
	it('lets exactly the quota through when 20 sends race for 5', async () => {
		const gw = await startGateway({ ...state(), dailyQuota: 5 });
		try {
			const answers = await Promise.all(
				Array.from({ length: 20 }, (__, i) =>
					gw.call('POST', '/api/send-message', { number: `49151000${String(i).padStart(4, '1')}`, message: `m${i}` }),
				),
			);
			const refused = answers.filter((answer) => answer.status === 429);
			expect(answers.filter((answer) => answer.status === 200)).toHaveLength(5);
			expect(refused).toHaveLength(15);
			expect(gw.sandbox.sent).toHaveLength(5);
			for (const answer of refused) {
				expect(answer.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', resetAt: quotaResetAt(new Date()).toISOString() });
				expect(answer.body.error.message).toContain('5 of 5');
			}
		} finally {
			await gw.stop();
		}
	});
});

it("keeps the count under the nodes' key, with a 24-hour TTL", async () => {
	const prefix = uniquePrefix();
	const gw = await startGateway({ redisUrl: redis.url, keyPrefix: prefix });
	const client = new Redis(redis.url);
	try {
		await gw.call('POST', '/api/send-message', { number: '4915123456789', message: 'one' });
		await gw.call('POST', '/api/send-message', { number: '4915123456789', message: 'two' });
		const key = quotaKey(SUIT, new Date(), prefix);
		expect(key).toMatch(new RegExp(`uo_whatsapp:${SUIT}:\\d{8}$`));
		expect(await client.get(key)).toBe('2');
		expect(await client.ttl(key)).toBeGreaterThan(24 * 3600 - 60);
	} finally {
		client.disconnect();
		await gw.stop();
	}
});

describe.each([
	['Redis', () => ({ redisUrl: redis.url })],
	['in-memory state', () => ({ redisUrl: undefined })],
])('one quota for every sender of the suit, with %s', (_, state) => {
	it('holds at exactly the limit when single sends, a campaign and a client claiming its own reservation hit the suit at once', async () => {
		const gw = await startGateway({ ...state(), dailyQuota: 10, minDelayMinutes: 0, maxDelayMinutes: 0 });
		try {
			const number = (i: number) => `4915200${String(i).padStart(5, '1')}`;
			const campaign = gw.call('POST', `/${SUIT}/send`, {
				UOWHATSAPP: { message: 'Hi', receivers: Array.from({ length: 12 }, (__, i) => ({ mobileNum: number(100 + i) })) },
				campaign_id: 'race',
			});
			const singles = Array.from({ length: 8 }, (__, i) => gw.call('POST', '/api/send-message', { number: number(i), message: 'single' }));
			const claiming = Array.from({ length: 8 }, (__, i) =>
				gw.call(
					'POST',
					'/api/send-message',
					{ number: number(50 + i), message: 'says it reserved' },
					{ appApiKey: API_KEY, 'x-quota-reserved': '1' },
				),
			);
			const answers = await Promise.all([...singles, ...claiming]);
			expect((await campaign).body.queued).toBe(12);
			// Settled: the quota used up, the campaign paused by it and none of its receivers mid-claim (a claim that
			// meets the used-up quota is put back to the queue; a snapshot taken in between counts it `sending`).
			const singlesSent = answers.filter((answer) => answer.status === 200).length;
			const view = await waitFor(
				async () => {
					const { body } = await gw.call('GET', `/${SUIT}/campaigns/race`);
					return body.counts.sent + singlesSent === 10 && body.counts.sending === 0 && body.state === 'paused (quota)' && body;
				},
				10_000,
				'the quota to be used up and the campaign paused by it',
			);
			expect(gw.sandbox.sent).toHaveLength(10);
			expect(answers.filter((answer) => answer.status === 429).every((answer) => answer.body.error.code === 'QUOTA_EXCEEDED')).toBe(true);
			// The campaign (more receivers than the quota) waits for the reset with the rest queued: nobody skipped or failed.
			const resetAt = quotaResetAt(new Date()).toISOString();
			expect(view).toMatchObject({ state: 'paused (quota)', nextSendAt: resetAt, quota: { used: 10, limit: 10, resetAt } });
			expect(view.counts).toMatchObject({ queued: 12 - view.counts.sent, failed: 0, skipped: 0, unknown: 0 });
		} finally {
			await gw.stop();
		}
	});
});

it('paces single sends with the suit: a send whose slot is further than MAX_SEND_WAIT_MS answers 429 PACED, nothing sent', async () => {
	const gw = await startGateway({ redisUrl: redis.url, minSendGapMs: 60_000, maxSendWaitMs: 1_000 });
	try {
		const answers = await Promise.all([
			gw.call('POST', '/api/send-message', { number: '4915123456789', message: 'one' }),
			gw.call('POST', '/api/send-message', { number: '4915123456788', message: 'two' }),
		]);
		answers.sort((a, b) => a.status - b.status);
		expect(answers.map((answer) => answer.status)).toEqual([200, 429]);
		expect(answers[1].body.error).toMatchObject({ code: 'PACED', retryAfterMs: expect.any(Number) });
		expect(answers[1].body.error.retryAfterMs).toBeGreaterThan(1_000);
		expect(gw.sandbox.sent).toHaveLength(1);
		expect((await gw.call('GET', '/metrics')).text).toContain(`whatsapp_lite_quota_used{suit="${SUIT}"} 1`);
	} finally {
		await gw.stop();
	}
});
