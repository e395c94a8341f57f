/**
 * One table of daily-quota cases, run against the quota script in a real Redis (through the nodes' RedisStore and
 * the gateway's RedisKv) and against the steps the in-process stores run (the nodes' MemoryStore, the gateway's
 * MemoryKv): every store answers every case the same.
 */
import Redis from 'ioredis';
import { type QuotaGrant, quotaKey } from '../../contract/quota';
import { MemoryKv } from '../../lite/src/store/memoryKv';
import { RedisKv } from '../../lite/src/store/redisKv';
import { MemoryStore } from '../../nodes/whatsapp/store/memory';
import { RedisStore } from '../../nodes/whatsapp/store/redis';
import { startRedis, type TestRedis, uniquePrefix } from '../harness/redis';

const TTL = 3600;
/** The last second of one UTC day and the first of the next: each has its own quota key. */
const DAYS = { first: new Date('2030-01-01T23:59:59Z'), next: new Date('2030-01-02T00:00:00Z') };
type Day = keyof typeof DAYS;

type Step =
	| { reserve: number; limit: number; day?: Day; answer: QuotaGrant }
	| { release: number; day?: Day }
	/** Time passes for the quota's counters (seconds). */
	| { elapse: number };

const reserve = (count: number, limit: number, granted: boolean, used: number, day?: Day): Step => ({
	reserve: count,
	limit,
	day,
	answer: { granted, used },
});

const CASES: Array<{ name: string; steps: Step[] }> = [
	{ name: 'reserves under the cap and counts up', steps: [reserve(1, 3, true, 1), reserve(1, 3, true, 2)] },
	{ name: 'reserves up to exactly the cap', steps: [reserve(2, 3, true, 2), reserve(1, 3, true, 3)] },
	{ name: 'refuses past the cap and counts nothing', steps: [reserve(3, 3, true, 3), reserve(1, 3, false, 3), reserve(1, 3, false, 3)] },
	{ name: 'reserves several units all or none', steps: [reserve(2, 3, true, 2), reserve(2, 3, false, 2), reserve(1, 3, true, 3)] },
	{ name: 'refuses a first reservation larger than the cap', steps: [reserve(4, 3, false, 0), reserve(3, 3, true, 3)] },
	{ name: 'a limit of zero refuses everything', steps: [reserve(1, 0, false, 0)] },
	{
		name: 'a release gives units back for the next reservation',
		steps: [reserve(3, 3, true, 3), { release: 2 }, reserve(2, 3, true, 3), reserve(1, 3, false, 3)],
	},
	{
		name: 'a release never goes below zero',
		steps: [reserve(2, 3, true, 2), { release: 5 }, reserve(3, 3, true, 3), reserve(1, 3, false, 3)],
	},
	{
		name: 'a release of a day without reservations changes nothing',
		steps: [{ release: 1 }, reserve(1, 1, true, 1), reserve(1, 1, false, 1)],
	},
	{
		name: 'the next UTC day has its own count',
		steps: [
			reserve(2, 2, true, 2, 'first'),
			reserve(1, 2, false, 2, 'first'),
			reserve(1, 2, true, 1, 'next'),
			reserve(1, 2, false, 2, 'first'),
		],
	},
	{
		name: "the count expires its TTL after the day's first reservation",
		steps: [reserve(1, 1, true, 1), { elapse: TTL - 60 }, reserve(1, 1, false, 1), { elapse: 60 }, reserve(1, 1, true, 1)],
	},
	{
		name: 'a later reservation does not extend the TTL',
		steps: [reserve(1, 3, true, 1), { elapse: TTL - 600 }, reserve(1, 3, true, 2), { elapse: 600 }, reserve(1, 3, true, 1)],
	},
	{
		name: 'a release keeps the TTL',
		steps: [reserve(2, 3, true, 2), { elapse: TTL - 600 }, { release: 1 }, reserve(1, 3, true, 2), { elapse: 600 }, reserve(1, 3, true, 1)],
	},
];

/** What every store offers the quota (the nodes' StateStore and the gateway's Kv). */
interface QuotaStore {
	reserveQuota(key: string, limit: number, ttlSeconds: number, count: number): Promise<QuotaGrant>;
	releaseQuota(key: string, count: number): Promise<void>;
	close(): Promise<void>;
}

/** A store under test, with a way to let time pass for it. */
interface Subject {
	store: QuotaStore;
	elapse(seconds: number, keys: string[]): Promise<void>;
	close(): Promise<void>;
}

let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(() => redis.stop());

/**
 * Time passing for Redis keys: their TTLs shortened by `seconds` (a key whose TTL runs out is gone), as Redis's own
 * clock would after that long. A key without a TTL keeps none, so a count that never expires shows.
 */
async function elapseInRedis(client: Redis, seconds: number, keys: string[]) {
	for (const key of keys) {
		const left = await client.pttl(key);
		if (left < 0) continue;
		if (left <= seconds * 1000) await client.del(key);
		else await client.pexpire(key, left - seconds * 1000);
	}
}

function inRedis(store: QuotaStore): Subject {
	const client = new Redis(redis.url);
	return {
		store,
		elapse: (seconds, keys) => elapseInRedis(client, seconds, keys),
		close: async () => {
			client.disconnect();
			await store.close();
		},
	};
}

/** A clock for the in-process stores, moved by `elapse`. */
function testClock() {
	let now = DAYS.first.getTime();
	return { now: () => now, elapse: async (seconds: number) => void (now += seconds * 1000) };
}

const SUBJECTS: Array<[string, () => Promise<Subject>]> = [
	[
		"the nodes' RedisStore",
		async () => {
			const { hostname, port } = new URL(redis.url);
			return inRedis(await RedisStore.connect({ host: hostname, port: Number(port) }));
		},
	],
	["the gateway's RedisKv", async () => inRedis(new RedisKv(new Redis(redis.url)))],
	[
		"the nodes' MemoryStore",
		async () => {
			const clock = testClock();
			// The store reads the time from Date.now, as it does in n8n.
			const now = jest.spyOn(Date, 'now').mockImplementation(clock.now);
			return { store: new MemoryStore(), elapse: clock.elapse, close: async () => now.mockRestore() };
		},
	],
	[
		"the gateway's MemoryKv",
		async () => {
			const clock = testClock();
			const store = new MemoryKv(clock.now);
			return { store, elapse: clock.elapse, close: () => store.close() };
		},
	],
];

describe.each(SUBJECTS)('the daily quota in %s', (_, connect) => {
	it.each(CASES)('$name', async ({ steps }) => {
		const subject = await connect();
		const prefix = uniquePrefix();
		const keyOf = (day: Day = 'first') => quotaKey('suit-1', DAYS[day], prefix);
		const answers: QuotaGrant[] = [];
		try {
			for (const step of steps) {
				if ('reserve' in step) answers.push(await subject.store.reserveQuota(keyOf(step.day), step.limit, TTL, step.reserve));
				else if ('release' in step) await subject.store.releaseQuota(keyOf(step.day), step.release);
				else await subject.elapse(step.elapse, [keyOf('first'), keyOf('next')]);
			}
		} finally {
			await subject.close();
		}
		expect(answers).toEqual(steps.flatMap((step) => ('reserve' in step ? [step.answer] : [])));
	});
});
