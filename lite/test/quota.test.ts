import Redis from 'ioredis';
import { quotaKey, quotaResetAt } from '../../nodes/whatsapp/store/quota';
import { MemoryKv } from '../src/store/memoryKv';
import { RedisKv } from '../src/store/redisKv';
import type { Kv } from '../src/store/kv';
import { startGateway, SUIT } from './helpers/gateway';
import { startRedis, uniquePrefix, type TestRedis } from '../../test/harness/redis';

let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(() => redis.stop());

describe.each([
	['Redis', () => ({ redisUrl: redis.url })],
	['in-memory state', () => ({ redisUrl: undefined })],
])('the daily quota with %s', (_, state) => {
	it('lets exactly the quota through when 20 sends race for 5', async () => {
		const gw = await startGateway({ ...state(), dailyQuota: 5 });
		try {
			const answers = await Promise.all(Array.from({ length: 20 }, (__, i) => gw.call('POST', '/api/send-message', { number: `49151000${String(i).padStart(4, '1')}`, message: `m${i}` })));
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

it('keeps the count under the nodes\' key, with a 24-hour TTL', async () => {
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
	['RedisKv', () => new RedisKv(new Redis(redis.url)) as Kv],
	['MemoryKv', () => new MemoryKv() as Kv],
])('%s runs the quota script\'s semantics', (_, create) => {
	it('reserves up to the limit, refuses past it without counting, and releases never below zero', async () => {
		const kv = create();
		const key = `${uniquePrefix()}quota`;
		try {
			expect(await kv.reserveQuota(key, 3, 60, 2)).toEqual([true, 2]);
			expect(await kv.reserveQuota(key, 3, 60, 2)).toEqual([false, 2]);
			expect(await kv.reserveQuota(key, 3, 60, 1)).toEqual([true, 3]);
			await kv.releaseQuota(key, 5);
			expect(await kv.get(key)).toBe('0');
			await kv.releaseQuota(key, 1);
			expect(await kv.get(key)).toBe('0');
		} finally {
			await kv.close();
		}
	});
});

it('MemoryKv lets the quota expire after its TTL', async () => {
	let now = 0;
	const kv = new MemoryKv(() => now);
	await kv.reserveQuota('q', 1, 60, 1);
	expect((await kv.reserveQuota('q', 1, 60, 1))[0]).toBe(false);
	now = 60_000;
	expect(await kv.reserveQuota('q', 1, 60, 1)).toEqual([true, 1]);
});
