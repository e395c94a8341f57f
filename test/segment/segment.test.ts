import type { INodeParameters } from 'n8n-workflow';
import { PACKAGE, runWorkflow, singleNodeWorkflow } from '../harness/engine';
import { type TestRedis, startRedis, uniquePrefix } from '../harness/redis';
import { credentialsFor, startBackends } from '../send/fixtures';

type Backends = Awaited<ReturnType<typeof startBackends>>;

let redis: TestRedis;
let backends: Backends;
let keyPrefix: string;

beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => {
	await redis.stop();
});
beforeEach(async () => {
	backends = await startBackends();
	backends.lite.state.quotaLeft = Number.MAX_SAFE_INTEGER;
	keyPrefix = uniquePrefix();
});
afterEach(async () => {
	await backends.close();
});

function redisCredential(url = redis.url) {
	const { hostname, port } = new URL(url);
	return { host: hostname, port: Number(port), password: '', database: 0, tls: false, keyPrefix };
}

const recipients = (count: number, offset = 0) =>
	Array.from({ length: count }, (_, index) => ({ json: { phone: `+49 151 ${String(10_000_000 + offset + index)}`, name: `User ${offset + index}` } }));

/** WhatsApp Send over a segment, with the Redis credential, as a Schedule Trigger workflow would run it. */
async function sendSegment(
	parameters: INodeParameters & { delivery: INodeParameters },
	items: Array<{ json: Record<string, unknown> }>,
	options: { signal?: AbortSignal; redisUrl?: string; continueOnFail?: boolean } = {},
) {
	const workflow = singleNodeWorkflow(
		{
			name: 'WhatsApp Send',
			type: `${PACKAGE}.whatsAppSend`,
			parameters: { operation: 'sendText', recipient: '={{ $json.phone }}', text: '=Hi {{ $json.name }}', options: { initialBackoffMs: 20 }, ...parameters },
			credentials: { whatsAppCloudApi: { id: '1', name: 'Cloud' }, whatsAppLiteApi: { id: '2', name: 'Lite' }, whatsAppRedis: { id: '3', name: 'Redis' } },
			...(options.continueOnFail !== false && { onError: 'continueRegularOutput' as const }),
		},
		items,
	);
	const credentials = { ...credentialsFor(backends.graph, backends.lite), whatsAppRedis: redisCredential(options.redisUrl) };
	const result = await runWorkflow(workflow, credentials, { signal: options.signal });
	return { ...result, items: result.output('WhatsApp Send').map((item) => item.json) };
}

const sentTo = () => backends.lite.sent.map((message) => String(message.number));

test('four executions at once, 150 recipients each, against a daily quota of 300: exactly 300 sent, 300 skipped', async () => {
	const lite = { backend: 'lite', delivery: { minDelayMinutes: 0, maxDelayMinutes: 0, dailyQuota: 300 } };
	const runs = await Promise.all([0, 1, 2, 3].map((run) => sendSegment(lite, recipients(150, run * 1000))));

	const outputs = runs.flatMap((run) => run.items);
	expect(outputs).toHaveLength(600);
	expect(outputs.filter((item) => item.status === 'accepted')).toHaveLength(300);
	const skipped = outputs.filter((item) => item.status === 'skipped');
	expect(skipped).toHaveLength(300);
	expect(skipped[0].reason).toMatch(/^daily quota reached \(300\/300\); resets at \d{4}-\d\d-\d\dT00:00:00\.000Z$/);
	expect(backends.lite.sent).toHaveLength(300);
	expect(new Set(sentTo()).size).toBe(300);
	// The nodes reserved each message, so the container was told not to count it again.
	expect(backends.lite.requests.every((request) => request.headers['x-quota-reserved'] === '1')).toBe(true);
});

test('a campaign stopped half-way and run again with the same campaign ID reaches every recipient exactly once', async () => {
	const campaign = { backend: 'lite', delivery: { campaignId: 'spring-sale', minDelayMinutes: 0.0005, maxDelayMinutes: 0.0005 } };
	const segment = recipients(20);
	const stop = new AbortController();
	const stopping = setTimeout(() => stop.abort(), 200);
	const first = await sendSegment(campaign, segment, { signal: stop.signal });
	clearTimeout(stopping);
	const sentBeforeStop = backends.lite.sent.length;
	expect(sentBeforeStop).toBeGreaterThan(0);
	expect(sentBeforeStop).toBeLessThan(20);
	expect(first.run.status).toBe('canceled');

	const second = await sendSegment(campaign, segment);
	expect(backends.lite.sent).toHaveLength(20);
	expect(new Set(sentTo()).size).toBe(20);
	expect(second.items.filter((item) => item.status === 'skipped').map((item) => item.reason)).toEqual(
		Array.from({ length: sentBeforeStop }, () => expect.stringMatching(/^already sent in this campaign \(message true_/)),
	);
	expect(second.items.filter((item) => item.status === 'accepted')).toHaveLength(20 - sentBeforeStop);
});

test('the same recipient twice in one campaign is sent once, and a new campaign sends again', async () => {
	const items = [...recipients(2), ...recipients(1)];
	const first = await sendSegment({ backend: 'cloud', delivery: { campaignId: 'c1' } }, items);
	expect(first.items.map((item) => item.status)).toEqual(['accepted', 'accepted', 'skipped']);
	await sendSegment({ backend: 'cloud', delivery: { campaignId: 'c2' } }, recipients(1));
	expect(backends.graph.accepted.map((message) => message.to)).toEqual(['4915110000000', '4915110000001', '4915110000000']);
});

test('Lite pacing: consecutive messages never leave closer than the minimum delay', async () => {
	const minMs = 60;
	await sendSegment({ backend: 'lite', delivery: { minDelayMinutes: minMs / 60_000, maxDelayMinutes: (2 * minMs) / 60_000 } }, recipients(8));
	const arrivals = backends.lite.requests.map((request) => request.at);
	const gaps = arrivals.slice(1).map((at, index) => at - arrivals[index]);
	expect(gaps).toHaveLength(7);
	for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(minMs);
	expect(Math.max(...gaps)).toBeLessThan(2 * minMs + 100);
});

test('130429 slows the whole sender down and every message still goes out once', async () => {
	backends.graph.options.messagesPerSecond = 5;
	const result = await sendSegment({ backend: 'cloud', delivery: { messagesPerSecond: 50 }, options: { initialBackoffMs: 200, maxAttempts: 8 } }, recipients(15));
	const throttled = backends.graph.requests.length - backends.graph.accepted.length;
	expect(throttled).toBeGreaterThan(0);
	expect(result.items.every((item) => item.status === 'accepted')).toBe(true);
	expect(new Set(backends.graph.accepted.map((message) => message.to)).size).toBe(15);
	expect(Math.max(...result.items.map((item) => Number(item.attempts)))).toBeGreaterThan(1);
});

test('131056 retries only that recipient later, without holding the others', async () => {
	backends.graph.options.pairBurst = 1;
	backends.graph.options.pairWindowMs = 300;
	const items = [...recipients(1), ...recipients(1), ...recipients(4, 1)];
	const result = await sendSegment({ backend: 'cloud', delivery: { oncePerRecipient: false, concurrency: 2 }, options: { initialBackoffMs: 100 } }, items);
	expect(result.items.map((item) => item.status)).toEqual(Array(6).fill('accepted'));
	const order = backends.graph.accepted.map((message) => message.to);
	// The repeated recipient was pushed back; the four others went out in the meantime.
	expect(order.lastIndexOf('4915110000000')).toBe(5);
	expect(result.items[1].attempts).toBeGreaterThan(1);
	expect(result.items.filter((_, index) => index !== 1).every((item) => item.attempts === 1)).toBe(true);
});

test('with Redis unreachable nothing is sent and the error says why', async () => {
	const result = await sendSegment({ backend: 'cloud', delivery: {} }, recipients(3), { redisUrl: 'redis://127.0.0.1:1', continueOnFail: false });
	expect(result.error?.message).toBe('Redis at 127.0.0.1:1 is unreachable: nothing was sent');
	expect(result.error?.description).toMatch(/^Redis answered: ECONNREFUSED\. .*Fix: Check host, port, password and TLS/);
	expect(backends.graph.requests).toHaveLength(0);
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

	const result = await runWorkflow(workflow, credentialsFor(backends.graph, backends.lite));
	expect(result.error).toBeUndefined();
	expect(backends.graph.accepted.map((message) => (message.body.text as { body: string }).body)).toEqual(['Hi!', 'Here is your voucher.']);
});
