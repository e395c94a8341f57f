import { startRedis, type TestRedis } from '../../test/harness/redis';
import { startGateway, SUIT, type TestGateway } from './helpers/gateway';
import { waitFor } from './helpers/wait';

/**
 * The pace has two levels (issue 21): the suit's minimum gap between any two sends, and each campaign's own delays.
 * A campaign's delays hold back only that campaign: one with a day between its messages does not stop another
 * campaign of the suit, and it can still be cancelled.
 */
let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(() => redis.stop());

const campaign = (id: string, numbers: string[], minDelay: number) => ({
	UOWHATSAPP: {
		message: `Hi from ${id}`,
		receivers: numbers.map((mobileNum) => ({ mobileNum })),
		random_delay: false,
		min_delay: minDelay,
	},
	campaign_id: id,
});

describe.each([
	['Redis', () => ({ redisUrl: redis.url })],
	['in-memory state', () => ({ redisUrl: undefined })],
])('campaign pace with %s', (_, state) => {
	let gw: TestGateway;
	beforeEach(async () => {
		// Real minutes: a delay of 1440 is a day.
		gw = await startGateway({ ...state(), delayUnitMs: 60_000, minDelayMinutes: 0, maxDelayMinutes: 0 });
	});
	afterEach(() => gw.stop());

	const view = async (id: string) => (await gw.call('GET', `/${SUIT}/campaigns/${id}`)).body;
	const sentTo = () => gw.sandbox.sent.map((sent) => sent.chatId.replace('@c.us', ''));

	it("a campaign with a day between messages does not delay another campaign's, and is cancelled", async () => {
		expect((await gw.call('POST', `/${SUIT}/send`, campaign('slow', ['4915100000001', '4915100000002'], 1440))).status).toBe(202);
		await waitFor(async () => (await view('slow')).counts.sent === 1, 10_000, "the slow campaign's first message");
		const slow = await view('slow');
		expect(slow).toMatchObject({ state: 'running', counts: { queued: 1, sent: 1 } });
		expect(Date.parse(slow.nextSendAt) - Date.now()).toBeGreaterThan(23 * 3600_000);

		expect((await gw.call('POST', `/${SUIT}/send`, campaign('fast', ['4915100000011', '4915100000012', '4915100000013'], 0))).status).toBe(
			202,
		);
		await waitFor(async () => (await view('fast')).state === 'finished', 15_000, 'the second campaign to finish');
		expect((await view('fast')).counts).toMatchObject({ sent: 3, queued: 0 });

		const cancel = await gw.call('POST', `/${SUIT}/campaigns/slow/cancel`);
		expect(cancel).toMatchObject({ status: 200, body: { state: 'cancelled' } });
		expect((await view('slow')).counts).toMatchObject({ sent: 1, skipped: 1, queued: 0, sending: 0 });
		expect(sentTo().sort()).toEqual(['4915100000001', '4915100000011', '4915100000012', '4915100000013']);
	});

	it('pauses and resumes a campaign held by a day-long delay', async () => {
		await gw.call('POST', `/${SUIT}/send`, campaign('slow', ['4915100000001', '4915100000002'], 1440));
		await waitFor(async () => (await view('slow')).counts.sent === 1, 10_000, "the slow campaign's first message");
		expect((await gw.call('POST', `/${SUIT}/campaigns/slow/pause`)).body.state).toBe('paused');
		expect((await gw.call('POST', `/${SUIT}/campaigns/slow/resume`)).body.state).toBe('running');
		expect((await gw.call('POST', `/${SUIT}/campaigns/slow/cancel`)).body.state).toBe('cancelled');
		await waitFor(async () => (await view('slow')).endedAt, 10_000, 'the cancelled campaign to end');
		expect(sentTo()).toEqual(['4915100000001']);
	});
});
