import { PACKAGE, runWorkflow, singleNodeWorkflow } from '../harness/engine';
import { credentialsFor } from '../send/fixtures';
import { recipients, useSegmentRun } from './run';

const { backends, sendSegment } = useSegmentRun();

const sentTo = () => backends().lite.sent.map((message) => String(message.number));

test("Lite: four executions at once, 150 recipients each, against the container's quota of 300: exactly 300 sent, the rest skipped with the reset time", async () => {
	backends().lite.state.quotaLeft = 300;
	const lite = { backend: 'lite', delivery: { mode: 'direct' } };
	const runs = await Promise.all([0, 1, 2, 3].map((index) => sendSegment(lite, recipients(150, index * 1000))));

	const outputs = runs.flatMap((result) => result.items);
	expect(outputs).toHaveLength(600);
	expect(outputs.filter((item) => item.status === 'accepted')).toHaveLength(300);
	const skipped = outputs.filter((item) => item.status === 'skipped');
	expect(skipped).toHaveLength(300);
	expect(new Set(skipped.map((item) => item.reason))).toEqual(new Set(['daily quota reached (resets at 2030-01-02T00:00:00.000Z)']));
	expect(backends().lite.sent).toHaveLength(300);
	expect(new Set(sentTo()).size).toBe(300);
	// The container is the one authority: no request asks it to skip its count, and after its 429 no execution sent again.
	expect(backends().lite.requests.some((request) => 'x-quota-reserved' in request.headers)).toBe(false);
	expect(backends().lite.requests.length).toBeLessThanOrEqual(300 + 4);
});

test("Lite: the node's Daily Quota is an extra cap for its workflow, on top of the container's", async () => {
	const first = await sendSegment({ backend: 'lite', delivery: { mode: 'direct', dailyQuota: 5 } }, recipients(8));
	expect(first.items.map((item) => item.status)).toEqual([...Array(5).fill('accepted'), ...Array(3).fill('skipped')]);
	expect(first.items[5].reason).toMatch(/^daily quota reached \(5\/5\); resets at \d{4}-\d\d-\d\dT00:00:00\.000Z$/);
	expect(backends().lite.sent).toHaveLength(5);
});

test('Cloud: four executions at once, 150 recipients each, against a Daily Quota of 300: exactly 300 sent, 300 skipped', async () => {
	const cloud = { backend: 'cloud', delivery: { dailyQuota: 300, messagesPerSecond: 1000 } };
	const runs = await Promise.all([0, 1, 2, 3].map((index) => sendSegment(cloud, recipients(150, index * 1000))));

	const outputs = runs.flatMap((result) => result.items);
	expect(outputs.filter((item) => item.status === 'accepted')).toHaveLength(300);
	const skipped = outputs.filter((item) => item.status === 'skipped');
	expect(skipped).toHaveLength(300);
	expect(skipped[0].reason).toMatch(/^daily quota reached \(300\/300\); resets at \d{4}-\d\d-\d\dT00:00:00\.000Z$/);
	expect(new Set(backends().graph.accepted.map((message) => message.to)).size).toBe(300);
});

test('a campaign stopped half-way and run again with the same campaign ID reaches every recipient exactly once', async () => {
	const campaign = { backend: 'cloud', delivery: { campaignId: 'spring-sale', messagesPerSecond: 30 } };
	const segment = recipients(20);
	const stop = new AbortController();
	// Stopped once the fake has accepted a few (not after a fixed time, which a loaded machine may spend before any send).
	const stopping = setInterval(() => backends().graph.accepted.length >= 3 && stop.abort(), 5);
	const first = await sendSegment(campaign, segment, { signal: stop.signal });
	clearInterval(stopping);
	const sentBeforeStop = backends().graph.accepted.length;
	expect(sentBeforeStop).toBeGreaterThan(0);
	expect(sentBeforeStop).toBeLessThan(20);
	expect(first.run.status).toBe('canceled');

	const second = await sendSegment(campaign, segment);
	expect(backends().graph.accepted).toHaveLength(20);
	expect(new Set(backends().graph.accepted.map((message) => message.to)).size).toBe(20);
	expect(second.items.filter((item) => item.status === 'skipped').map((item) => item.reason)).toEqual(
		Array.from({ length: sentBeforeStop }, () => expect.stringMatching(/^already sent in this campaign \(message wamid\./)),
	);
	expect(second.items.filter((item) => item.status === 'accepted')).toHaveLength(20 - sentBeforeStop);
});

test('the same recipient twice in one campaign is sent once, and a new campaign sends again', async () => {
	const items = [...recipients(2), ...recipients(1)];
	const first = await sendSegment({ backend: 'cloud', delivery: { campaignId: 'c1' } }, items);
	expect(first.items.map((item) => item.status)).toEqual(['accepted', 'accepted', 'skipped']);
	await sendSegment({ backend: 'cloud', delivery: { campaignId: 'c2' } }, recipients(1));
	expect(backends().graph.accepted.map((message) => message.to)).toEqual(['4915110000000', '4915110000001', '4915110000000']);
});

test("Lite, Send From n8n: minute delays in the Delivery settings do not hold n8n's sends (the container paces its suit)", async () => {
	const result = await sendSegment(
		{ backend: 'lite', delivery: { mode: 'direct', minDelayMinutes: 10, maxDelayMinutes: 20 } },
		recipients(8),
	);
	expect(result.items.map((item) => item.status)).toEqual(Array(8).fill('accepted'));
	expect(new Set(sentTo()).size).toBe(8);
});

test('130429 slows the whole sender down and every message still goes out once', async () => {
	backends().graph.options.messagesPerSecond = 5;
	const result = await sendSegment(
		{ backend: 'cloud', delivery: { messagesPerSecond: 50 }, options: { initialBackoffMs: 200, maxAttempts: 8 } },
		recipients(15),
	);
	const throttled = backends().graph.requests.length - backends().graph.accepted.length;
	expect(throttled).toBeGreaterThan(0);
	expect(result.items.every((item) => item.status === 'accepted')).toBe(true);
	expect(new Set(backends().graph.accepted.map((message) => message.to)).size).toBe(15);
	expect(Math.max(...result.items.map((item) => Number(item.attempts)))).toBeGreaterThan(1);
});

test('131056 retries only that recipient later, without holding the others', async () => {
	backends().graph.options.pairBurst = 1;
	backends().graph.options.pairWindowMs = 300;
	const items = [...recipients(1), ...recipients(1), ...recipients(4, 1)];
	const result = await sendSegment(
		{ backend: 'cloud', delivery: { oncePerRecipient: false, concurrency: 2 }, options: { initialBackoffMs: 100 } },
		items,
	);
	expect(result.items.map((item) => item.status)).toEqual(Array(6).fill('accepted'));
	const order = backends().graph.accepted.map((message) => message.to);
	// The repeated recipient was pushed back; the four others went out in the meantime.
	expect(order.lastIndexOf('4915110000000')).toBe(5);
	expect(result.items[1].attempts).toBeGreaterThan(1);
	expect(result.items.filter((_, index) => index !== 1).every((item) => item.attempts === 1)).toBe(true);
});

test('with Redis unreachable nothing is sent and the error says why', async () => {
	const result = await sendSegment({ backend: 'cloud', delivery: {} }, recipients(3), {
		redisUrl: 'redis://127.0.0.1:1',
		continueOnFail: false,
	});
	expect(result.error?.message).toBe('Redis at 127.0.0.1:1 is unreachable: nothing was sent');
	expect(result.error?.description).toMatch(/^Redis answered: ECONNREFUSED\. .*Fix: Check host, port, password and TLS/);
	expect(backends().graph.requests).toHaveLength(0);
});

test('without a campaign ID, two sending nodes of one execution both reach the same person', async () => {
	const send = (name: string, text: string) => ({
		id: name,
		name,
		type: `${PACKAGE}.whatsAppSend`,
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: { backend: 'cloud', operation: 'sendText', recipient: '+49 151 10000000', text },
		credentials: { whatsAppCloudApi: { id: '1', name: 'Cloud' } },
	});
	const workflow = singleNodeWorkflow(send('Greeting', 'Hi!'), [{ json: {} }]);
	workflow.nodes.push(send('Follow-up', 'Here is your voucher.'));
	workflow.connections.Greeting = { main: [[{ node: 'Follow-up', type: 'main', index: 0 }]] };

	const result = await runWorkflow(workflow, credentialsFor(backends().graph, backends().lite));
	expect(result.error).toBeUndefined();
	expect(backends().graph.accepted.map((message) => (message.body.text as { body: string }).body)).toEqual([
		'Hi!',
		'Here is your voucher.',
	]);
});
