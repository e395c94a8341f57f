import { type TestRedis, startRedis, uniquePrefix } from '../harness/redis';
import { RedisStore } from '../../nodes/whatsapp/store/redis';

let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => {
	await redis.stop();
});

/** Keeps the event loop busy, as a loaded n8n process does: an answer that arrives meanwhile is read this much later. */
function busyFor(ms: number) {
	const until = Date.now() + ms;
	while (Date.now() < until);
}

test('Redis slots stay as far apart on our clock as Redis booked them, also when an answer is read late', async () => {
	const { hostname, port } = new URL(redis.url);
	const store = await RedisStore.connect({ host: hostname, port: Number(port), keyPrefix: uniquePrefix() });
	try {
		const key = 'wa_automator:pace:cloud:106540352242922';
		const gapMs = 1000;
		await store.reserveSlot(key, gapMs);
		const readLate = store.reserveSlot(key, gapMs);
		await new Promise((resolve) => setImmediate(resolve)); // the command is written (auto-pipelining writes on setImmediate)
		busyFor(60);
		const first = await readLate;
		const second = await store.reserveSlot(key, gapMs);

		// Translated with this answer's own delay, the first slot would move ~60 ms later, towards the second.
		expect(second - first).toBeGreaterThan(gapMs - 10);
	} finally {
		await store.close();
	}
});
