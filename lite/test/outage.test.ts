import { Writable } from 'node:stream';
import { armFault, type FaultStep } from '../src/faults';
import { createLogger } from '../src/log';
import { uniquePrefix } from '../../test/harness/redis';
import { startGateway, stateDir, SUIT, type TestGateway } from './helpers/gateway';
import { startReceiver, type WebhookReceiver } from './helpers/receiver';
import { startStoppableRedis, type StoppableRedis } from './helpers/redisServer';
import { waitFor } from './helpers/wait';

/*
 * The gateway's Redis stopped at each step of a campaign send (killed from the fault hook, so exactly there) and
 * started again on the same port with its data: campaigns pause and resume, nobody is lost or sent twice, routes
 * that need Redis answer 503, and every event raised meanwhile is delivered.
 */

jest.setTimeout(120_000);

let redis: StoppableRedis;
beforeAll(async () => {
	redis = await startStoppableRedis();
});
afterAll(() => redis.stop());

const people = ['491510000001', '491510000002', '491510000003', '491510000004'];
const campaign = {
	UOWHATSAPP: { message: 'Hello', receivers: people.map((mobileNum, i) => ({ mobileNum, userID: `u${i}` })) },
	campaign_id: 'outage',
};

async function expectUnavailable(gw: TestGateway): Promise<void> {
	const answers = await Promise.all([
		gw.call('GET', `/${SUIT}/campaigns/outage`),
		gw.call('POST', '/api/send-message', { number: '4915199999991', message: 'during the outage' }),
		gw.call('POST', `/${SUIT}/send`, { ...campaign, campaign_id: 'another' }),
		gw.call('GET', '/webhooks'),
	]);
	for (const answer of answers) expect([answer.status, answer.body.error.code]).toEqual([503, 'STORE_UNAVAILABLE']);
}

describe.each(['claim', 'handoff', 'send', 'outcome'] as FaultStep[])('Redis stopped at "%s" of the second receiver', (step) => {
	let receiver: WebhookReceiver;
	let gw: TestGateway;
	beforeEach(async () => {
		receiver = await startReceiver();
		gw = await startGateway({ redisUrl: redis.url, minDelayMinutes: 0, maxDelayMinutes: 0 });
		await gw.call('POST', '/webhooks', { url: receiver.url, events: ['campaign', 'message', 'message_ack'] });
	});
	afterEach(async () => {
		await redis.start().catch(() => undefined);
		await gw.stop();
		await receiver.stop();
	});

	it('pauses the campaign, answers 503, keeps every event and resumes when Redis is back: each receiver sent once', async () => {
		let stopped = false;
		armFault({ step, nth: 2 }, () => {
			redis.kill();
			stopped = true;
		});
		expect((await gw.call('POST', `/${SUIT}/send`, campaign)).body.queued).toBe(4);
		await waitFor(() => stopped, 10_000, 'the fault');
		await expectUnavailable(gw);
		const inbound = await gw.call('POST', '/sandbox/inbound', { from: '4915123456789', body: 'written during the outage' });
		expect(inbound.status).toBe(201);
		await waitFor(() => receiver.events('message').length === 1, 10_000, 'the message event during the outage');
		const sentDuringOutage = gw.sandbox.sent.length;

		await redis.start();
		const view = await waitFor(
			async () => {
				const answer = await gw.call('GET', `/${SUIT}/campaigns/outage`);
				return answer.body?.state === 'finished' && answer.body;
			},
			30_000,
			'the campaign to finish',
		);
		expect(sentDuringOutage).toBeLessThanOrEqual(2);
		expect(gw.sandbox.sent.map((sent) => sent.chatId).sort()).toEqual(people.map((number) => `${number}@c.us`));
		expect(view.counts).toMatchObject({ sent: 4, queued: 0, sending: 0, unknown: 0, skipped: 0, failed: 0 });
		expect(view.recipients.items.map((item: { messageId: string }) => item.messageId).sort()).toEqual(
			gw.sandbox.sent.map((sent) => sent.id).sort(),
		);

		await waitFor(() => receiver.events('campaign').length >= 5 && receiver.events('message_ack').length >= 12, 30_000, 'every event');
		const byRecipient = new Map(
			receiver
				.events('campaign')
				.filter((event) => event.data.recipient)
				.map((event) => [event.data.recipient, event.data.status]),
		);
		expect(byRecipient).toEqual(new Map(people.map((number) => [number, 'sent'])));
		expect(
			receiver
				.events('message_ack')
				.filter((event) => event.data.status === 'read')
				.map((event) => event.data.id)
				.sort(),
		).toEqual(gw.sandbox.sent.map((sent) => sent.id).sort());
	});
});

it('a gateway restarted during the outage keeps the events it raises and delivers them when Redis is back', async () => {
	const receiver = await startReceiver();
	const common = { redisUrl: redis.url, keyPrefix: uniquePrefix(), stateDir: stateDir() };
	const first = await startGateway(common);
	await first.call('POST', '/webhooks', { url: receiver.url, events: ['message'] });
	redis.kill();
	await first.stop();
	const second = await startGateway(common);
	try {
		await expectUnavailable(second);
		await second.call('POST', '/sandbox/inbound', { from: '4915123456789', body: 'kept in the outbox' });
		// The registry cannot be read without Redis: the event waits in the outbox (nothing could deliver it yet).
		expect(receiver.deliveries).toHaveLength(0);
		await redis.start();
		const [event] = await waitFor(() => receiver.events('message').length > 0 && receiver.events('message'), 30_000, 'the kept event');
		expect(event.data).toMatchObject({ from: '4915123456789', body: 'kept in the outbox' });
	} finally {
		await second.stop();
		await receiver.stop();
	}
});

it('gives back the quota unit of a send that Redis stopped after the reservation (logging why it is owed): the quota counts only messages sent', async () => {
	const logged: Array<Record<string, unknown>> = [];
	const destination = new Writable({
		write(chunk: Buffer, _encoding, done) {
			logged.push(
				...chunk
					.toString('utf8')
					.split('\n')
					.filter(Boolean)
					.map((line) => JSON.parse(line) as Record<string, unknown>),
			);
			done();
		},
	});
	const gw = await startGateway({ redisUrl: redis.url, minDelayMinutes: 0, maxDelayMinutes: 0 }, { log: createLogger({ destination }) });
	const quotaUsed = async () => /whatsapp_lite_quota_used\{[^}]*\} (\d+)/.exec((await gw.call('GET', '/metrics')).text)?.[1];
	// Started again only once the gateway sees it stopped (start() right after the kill would find it still running).
	const restartRedis = async () => {
		await waitFor(async () => (await gw.call('GET', '/webhooks')).status === 503, 10_000, 'Redis to be down');
		await redis.start();
	};
	try {
		armFault({ step: 'reserved', nth: 1 }, () => redis.kill());
		const single = await gw.call('POST', '/api/send-message', { number: '4915199999991', message: 'reserved, then Redis stopped' });
		expect([single.status, single.body.error.code]).toEqual([503, 'STORE_UNAVAILABLE']);
		// The release Redis could not take is not silent: one structured line says it is owed, and why.
		expect(logged).toContainEqual(
			expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/^Quota release owed/), owed: 1, cause: expect.any(String) }),
		);
		await restartRedis();
		expect(await quotaUsed()).toBe('0');

		// A campaign's second receiver: its unit reserved, then Redis stopped before the hand-off could be recorded.
		let stopped = false;
		armFault({ step: 'reserved', nth: 2 }, () => {
			redis.kill();
			stopped = true;
		});
		expect((await gw.call('POST', `/${SUIT}/send`, { ...campaign, campaign_id: 'quota' })).body.queued).toBe(4);
		await waitFor(() => stopped, 10_000, 'the fault');
		expect(gw.sandbox.sent).toHaveLength(1);
		await restartRedis();
		await waitFor(
			async () => (await gw.call('GET', `/${SUIT}/campaigns/quota`)).body?.state === 'finished',
			30_000,
			'the campaign to finish',
		);
		expect(gw.sandbox.sent).toHaveLength(4);
		expect(await quotaUsed()).toBe('4');
	} finally {
		await redis.start().catch(() => undefined);
		await gw.stop();
	}
});
