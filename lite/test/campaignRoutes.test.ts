import Redis from 'ioredis';
import { startGateway, SUIT, type TestGateway } from './helpers/gateway';
import { startReceiver, type WebhookReceiver } from './helpers/receiver';
import { startRedis, uniquePrefix, type TestRedis } from '../../test/harness/redis';
import { waitFor } from './helpers/wait';

let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(() => redis.stop());

const numbers = (count: number) => Array.from({ length: count }, (_, i) => `4915123400${String(i + 11)}`);
const body = (receivers: unknown[], extra: Record<string, unknown> = {}) => ({
	UOWHATSAPP: { message: 'Hi {{userID}}', receivers, random_delay: false, ...extra },
	campaign_id: 'c1',
	campaign_name: 'Spring',
});

describe.each([
	['Redis', () => ({ redisUrl: redis.url })],
	['in-memory state', () => ({ redisUrl: undefined })],
])('campaign routes with %s', (_, state) => {
	let gw: TestGateway;
	let receiver: WebhookReceiver;
	beforeEach(async () => {
		receiver = await startReceiver();
		// The session is not ready at first, so nothing is sent until a test says so.
		gw = await startGateway({ ...state(), sandboxLoginDelayMs: -1, maxReceiversPerRequest: 5, minDelayMinutes: 0, maxDelayMinutes: 0 });
		await gw.call('POST', '/webhooks', { url: receiver.url, events: ['campaign'] });
	});
	afterEach(async () => {
		await gw.stop();
		await receiver.stop();
	});

	const ready = () => gw.gateway.session.report('ready');
	const view = async (query = '') => (await gw.call('GET', `/${SUIT}/campaigns/c1${query}`)).body;

	it('answers a chunk with queued, alreadyQueued and skipped, refuses too many receivers and other settings', async () => {
		const [a, b, c] = numbers(3);
		expect((await gw.call('POST', `/${SUIT}/send`, body(numbers(6).map((mobileNum) => ({ mobileNum }))))).body.error).toMatchObject({
			code: 'INVALID_REQUEST',
			message: expect.stringContaining('limit of 5 per request'),
			fix: expect.stringContaining('chunks of at most 5'),
		});
		expect(
			(
				await gw.call(
					'POST',
					`/${SUIT}/send`,
					body([
						{ mobileNum: a, userID: 'ua' },
						{ mobileNum: b, userID: 'ub' },
					]),
				)
			).body,
		).toEqual({ campaignId: 'c1', queued: 2, alreadyQueued: [], skipped: [] });
		const retried = await gw.call(
			'POST',
			`/${SUIT}/send`,
			body([{ mobileNum: `+${a}` }, { mobileNum: c }, { mobileNum: c }, { mobileNum: 'x' }]),
		);
		expect(retried.status).toBe(202);
		expect(retried.body).toEqual({
			campaignId: 'c1',
			queued: 1,
			alreadyQueued: [a],
			skipped: [
				{ mobileNum: c, reason: 'listed more than once' },
				{ mobileNum: 'x', reason: expect.stringContaining('"x"') },
			],
		});
		const differ = await gw.call('POST', `/${SUIT}/send`, body([{ mobileNum: '4915199999991' }], { message: 'Other text' }));
		expect([differ.status, differ.body.error.code]).toEqual([409, 'CAMPAIGN_SETTINGS_DIFFER']);
		expect((await view()).recipients.total).toBe(3);
	});

	it('shows counts, next send time, quota and recipients page by page', async () => {
		await gw.call('POST', `/${SUIT}/send`, body(numbers(4).map((mobileNum, i) => ({ mobileNum, userID: `u${i}` }))));
		const first = await view('?offset=1&limit=2');
		expect(first).toMatchObject({
			campaignId: 'c1',
			name: 'Spring',
			state: 'running',
			counts: { queued: 4, sending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 },
			nextSendAt: expect.any(String),
			quota: { used: 0, limit: 300, resetAt: expect.any(String) },
			recipients: { offset: 1, limit: 2, total: 4 },
		});
		expect(first.recipients.items).toEqual(
			numbers(4)
				.slice(1, 3)
				.map((recipient, i) => ({ recipient, userID: `u${i + 1}`, state: 'queued', updatedAt: expect.any(String) })),
		);
		expect((await gw.call('GET', `/${SUIT}/campaigns/c1?limit=501`)).body.error.message).toContain(
			'limit is "501": it must be a whole number from 0 to 500',
		);
		expect((await gw.call('GET', `/${SUIT}/campaigns/nope`)).body.error.code).toBe('CAMPAIGN_NOT_FOUND');
		expect((await gw.call('POST', `/${SUIT}/campaigns/nope/pause`)).status).toBe(404);

		ready();
		const done = await waitFor(async () => (await view()).state === 'finished' && view(), 10_000, 'the campaign to finish');
		expect(done).toMatchObject({ counts: { sent: 4, queued: 0 }, nextSendAt: null, quota: { used: 4 } });
		expect(done.recipients.items.map((item: { state: string; messageId: string }) => [item.state, item.messageId])).toEqual(
			gw.sandbox.sent.map((sent) => ['sent', sent.id]),
		);
		const events = await waitFor(() => receiver.events('campaign').length === 5 && receiver.events('campaign'), 5_000, 'the events');
		expect(events.slice(0, 4).map((event) => event.data)).toEqual(
			gw.sandbox.sent.map((sent, i) => ({
				campaignId: 'c1',
				recipient: numbers(4)[i],
				userID: `u${i}`,
				status: 'sent',
				messageId: sent.id,
			})),
		);
		expect(events[4].data).toEqual({ campaignId: 'c1', status: 'finished', counts: done.counts });
	});

	it('pauses, resumes and cancels; cancel skips who is left and ends the campaign', async () => {
		// The longest gap (1440 "minutes" of 5 ms): the first receiver goes out, the others wait.
		await gw.call(
			'POST',
			`/${SUIT}/send`,
			body(
				numbers(3).map((mobileNum) => ({ mobileNum })),
				{ min_delay: 1440, max_delay: 1440 },
			),
		);
		expect((await gw.call('POST', `/${SUIT}/campaigns/c1/pause`)).body).toEqual({ campaignId: 'c1', state: 'paused' });
		ready();
		// A single send goes out while the campaign is paused; the campaign's receivers stay queued.
		expect((await gw.call('POST', '/api/send-message', { number: '4915199999991', message: 'now' })).status).toBe(200);
		expect(await view()).toMatchObject({ state: 'paused', nextSendAt: null, counts: { queued: 3 } });
		expect((await gw.call('POST', `/${SUIT}/campaigns/c1/resume`)).body).toEqual({ campaignId: 'c1', state: 'running' });
		await waitFor(() => gw.sandbox.sent.length >= 2, 5_000, 'a campaign send');
		const cancelled = await gw.call('POST', `/${SUIT}/campaigns/c1/cancel`);
		expect(cancelled.body).toEqual({ campaignId: 'c1', state: 'cancelled' });
		const finished = await waitFor(
			() => receiver.events('campaign').find((event) => event.data.status === 'finished'),
			5_000,
			'the finished event',
		);
		const end = await view();
		expect(end.state).toBe('cancelled');
		expect(finished.data.counts).toEqual(end.counts);
		expect(end.counts).toMatchObject({ sent: 1, skipped: 2, queued: 0 });
		const skipped = receiver
			.events('campaign')
			.filter((event) => event.data.status === 'skipped')
			.map((event) => event.data);
		expect(skipped).toEqual(
			numbers(3)
				.slice(1)
				.map((recipient) => ({ campaignId: 'c1', recipient, status: 'skipped', reason: 'campaign cancelled' })),
		);
		expect(
			(await gw.call('POST', `/${SUIT}/send`, body([{ mobileNum: '4915199999992' }], { min_delay: 1440, max_delay: 1440 }))).body.skipped,
		).toEqual([{ mobileNum: '4915199999992', reason: 'campaign cancelled' }]);
	});
});

it('leaves no gateway key without a TTL but the webhook registry (configuration, which must not expire)', async () => {
	const keyPrefix = uniquePrefix();
	const gw = await startGateway({ redisUrl: redis.url, keyPrefix, minDelayMinutes: 0, maxDelayMinutes: 0 });
	const inspect = new Redis(redis.url);
	try {
		await gw.call('POST', '/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['message'] });
		await gw.call('POST', `/${SUIT}/send`, body(numbers(2).map((mobileNum) => ({ mobileNum }))));
		await gw.call('POST', '/api/send-message', { number: '4915199999991', message: 'single' });
		await waitFor(async () => (await gw.call('GET', `/${SUIT}/campaigns/c1`)).body.state === 'finished', 10_000, 'the campaign to finish');
		const keys = await inspect.keys(`${keyPrefix}*`);
		// webhooks, quota, pace and the campaign's meta, order, receivers, states and counts (the campaign list is gone once it ended).
		expect(keys.length).toBeGreaterThanOrEqual(8);
		const withoutTtl = [];
		for (const key of keys) if ((await inspect.ttl(key)) < 0) withoutTtl.push(key);
		expect(withoutTtl).toEqual([`${keyPrefix}lite:${SUIT}:webhooks`]);
	} finally {
		inspect.disconnect();
		await gw.stop();
	}
});

it('answers 507 STORE_FULL without REDIS_URL when campaigns hold MEMORY_STORE_MAX_BYTES, and queues nothing', async () => {
	const gw = await startGateway({ redisUrl: undefined, sandboxLoginDelayMs: -1, memoryStoreMaxBytes: 8_192 });
	try {
		const answer = await gw.call('POST', `/${SUIT}/send`, body(numbers(50).map((mobileNum) => ({ mobileNum }))));
		expect(answer.status).toBe(507);
		expect(answer.body.error).toMatchObject({
			code: 'STORE_FULL',
			maxBytes: 8_192,
			message: expect.stringContaining('MEMORY_STORE_MAX_BYTES'),
			fix: expect.stringContaining('REDIS_URL'),
		});
		expect((await gw.call('GET', `/${SUIT}/campaigns/c1`)).status).toBe(404);
	} finally {
		await gw.stop();
	}
});
