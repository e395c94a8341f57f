import Redis from 'ioredis';
import { type FaultPoint, installFaultHook } from '../../nodes/whatsapp/delivery/faults';
import { type RestartableRedis, startRestartableRedis } from '../harness/redis';
import { recipients, useSegmentRun } from '../segment/run';

let redis: RestartableRedis;
const { backends, keyPrefix, sendSegment } = useSegmentRun({
	redis: async () => {
		redis = await startRestartableRedis();
		return redis;
	},
});

afterEach(async () => {
	installFaultHook();
	await redis.start();
});

const segment = { backend: 'lite', delivery: { mode: 'direct', campaignId: 'outage' } };
const THIRD = '4915110000002';
const sentTo = () => backends().lite.sent.map((message) => String(message.number));

/** Stops Redis when the delivery engine reaches `point` for the third recipient. */
function redisStopsAt(point: FaultPoint) {
	installFaultHook(async (reached, recipient) => {
		if (reached === point && recipient === THIRD) await redis.stop();
	});
}

test.each<[string, FaultPoint]>([
	['the container accepted the message', 'accepted'],
	['the ledger said the request may leave', 'requesting'],
])('Redis stops after %s: the item says sent with its message ID, and a re-run never sends it again', async (_when, point) => {
	redisStopsAt(point);
	const first = await sendSegment(segment, recipients(5));

	expect(first.items[2]).toMatchObject({
		status: 'accepted',
		messageId: expect.stringMatching(/^true_4915110000002@c\.us_LITE/),
		ledgerWarning: expect.stringMatching(
			/^sent, but the campaign ledger could not record it: Redis at 127\.0\.0\.1:\d+ became unreachable$/,
		),
	});
	expect(JSON.stringify(first.items[2])).not.toMatch(/not sent|nothing was sent/);
	for (const item of first.items.slice(3))
		expect(item).toMatchObject({
			status: 'skipped',
			reason: expect.stringMatching(/^not sent: sending stopped after "Redis at .* became unreachable"$/),
		});
	expect(sentTo()).toEqual(recipients(3).map((_, index) => `4915${110_000_000 + index}`));

	installFaultHook();
	await redis.start();
	const again = await sendSegment(segment, recipients(5));
	expect(again.items.map((item) => item.status)).toEqual(['skipped', 'skipped', 'skipped', 'accepted', 'accepted']);
	expect(again.items[2].reason).toMatch(/^unknown — may have been sent/);
	expect(sentTo()).toHaveLength(5);
	expect(new Set(sentTo()).size).toBe(5);
});

test('Redis stops after the claim, before the request: nothing is sent, and a re-run sends that recipient once the claim lapsed', async () => {
	redisStopsAt('claimed');
	const first = await sendSegment(segment, recipients(5));
	expect(first.items[2]).toMatchObject({
		status: 'failed',
		error: { code: 'REDIS_UNAVAILABLE', message: expect.stringMatching(/became unreachable$/) },
	});
	expect(first.items.slice(3).map((item) => item.status)).toEqual(['skipped', 'skipped']);
	expect(sentTo()).toHaveLength(2);

	installFaultHook();
	await redis.start();
	// Right away the claim still holds the recipient (another sender might be about to send).
	const early = await sendSegment(segment, recipients(5));
	expect(early.items[2]).toMatchObject({
		status: 'skipped',
		reason: expect.stringMatching(/^not sent: another send of this campaign holds this recipient \(until /),
	});
	expect(sentTo()).toHaveLength(4);

	// Minutes later (the claim's time moved into the past) it is sent, once.
	await lapseClaim(THIRD);
	const later = await sendSegment(segment, recipients(5));
	expect(later.items.map((item) => item.status)).toEqual(['skipped', 'skipped', 'accepted', 'skipped', 'skipped']);
	expect(sentTo()).toHaveLength(5);
	expect(new Set(sentTo()).size).toBe(5);
});

/** Moves a ledger claim's expiry into the past, as if its minutes had passed. */
async function lapseClaim(recipient: string) {
	const client = new Redis(redis.url);
	try {
		const key = `${keyPrefix()}wa_automator:campaign:lite:suit-1:outage`;
		const entry = JSON.parse(String(await client.hget(key, recipient)));
		expect(entry.status).toBe('claimed');
		await client.hset(key, recipient, JSON.stringify({ ...entry, until: Date.now() - 1 }));
	} finally {
		client.disconnect();
	}
}
