import { renderAutomator } from '../../contract/automator';
import { withRandomString } from '../../contract/variation';
import { startGateway, SUIT, type TestGateway } from './helpers/gateway';
import { startReceiver } from './helpers/receiver';
import { startRedis, type TestRedis } from '../../test/harness/redis';
import { waitFor } from './helpers/wait';
import { startMediaServer } from './helpers/loopbackServer';

let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(() => redis.stop());

const numbers = (count: number) => Array.from({ length: count }, (_, i) => `4915123400${String(i + 11)}`);

const bulk = (gw: TestGateway, uo: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
	gw.call('POST', `/${SUIT}/send`, { UOWHATSAPP: uo, campaign_name: 'Spring', campaign_id: 'cmp-1', ...extra });

const gaps = (timestamps: string[]) => timestamps.slice(1).map((time, i) => Date.parse(time) - Date.parse(timestamps[i]));

describe('renderAutomator', () => {
	it('fills paths from the receiver, with fallbacks', () => {
		const receiver = { mobileNum: '4915', user: { name: 'Ada', tags: ['a'] }, userID: 7 };
		expect(renderAutomator('Hi {{user.name}} ({{ userID }})', receiver).text).toBe('Hi Ada (7)');
		expect(renderAutomator('Hi {{user.nick | "friend"}}, {{ user.city|\'there\' }}', receiver).text).toBe('Hi friend, there');
		expect(renderAutomator('{{missing}}|{{user.tags}}', receiver).text).toBe('|["a"]');
	});

	it('appends the random string as a reference line', () => {
		expect(withRandomString('Hello', () => 'AB12CD')).toBe('Hello\n\nRef. AB12CD');
		expect(withRandomString('Hello')).toMatch(/^Hello\n\nRef\. [0-9A-F]{6}$/);
	});
});

describe('POST /{suit_id}/send', () => {
	it('queues, renders, paces (never below the minimum gap) and reports each receiver', async () => {
		const receiver = await startReceiver();
		const media = await startMediaServer();
		const gw = await startGateway({ redisUrl: redis.url, delayUnitMs: 10 });
		try {
			await gw.call('POST', '/webhooks', { url: receiver.url, events: ['campaign'] });
			const receivers = [
				...numbers(4).map((mobileNum, i) => ({ mobileNum, userID: `u${i}`, user: i % 2 ? { name: `User ${i}` } : {} })),
				{ mobileNum: 'not-a-number', userID: 'bad' },
				{ mobileNum: `+${numbers(1)[0]}`, userID: 'dup' },
				{ mobileNum: '4915100000000', userID: 'no-wa' },
			];
			const answer = await bulk(gw, {
				message: 'Hi {{user.name | "there"}}!',
				receivers,
				imageUrl: `${media.url}/a.jpg`,
				random_delay: true,
				min_delay: 1,
				max_delay: 4,
				random_string: true,
			});
			expect(answer.status).toBe(202);
			expect(answer.body.campaignId).toBe('cmp-1');
			expect(answer.body.queued).toBe(5);
			expect(answer.body.skipped).toEqual([
				{ mobileNum: 'not-a-number', reason: expect.stringContaining('"not-a-number"') },
				{ mobileNum: `+${numbers(1)[0]}`, reason: 'listed more than once' },
			]);
			const events = await waitFor(() => receiver.events('campaign').length >= 7 && receiver.events('campaign'), 5_000, 'campaign events');
			const sent = gw.sandbox.sent;
			expect(sent.map((message) => message.chatId)).toEqual(numbers(4).map((number) => `${number}@c.us`));
			expect(sent.map((message) => (message.content as { caption: string }).caption.split('\n\n')[0])).toEqual([
				'Hi there!',
				'Hi User 1!',
				'Hi there!',
				'Hi User 3!',
			]);
			for (const message of sent)
				expect(message.content).toMatchObject({
					kind: 'media',
					source: { url: `${media.url}/a.jpg` },
					caption: expect.stringMatching(/\n\nRef\. [0-9A-F]{6}$/),
				});
			// min_delay 1 is below the gateway's MIN_DELAY_MINUTES (3): the gateway's minimum wins.
			for (const gap of gaps(sent.map((message) => message.timestamp))) expect(gap).toBeGreaterThanOrEqual(3 * 10);
			expect(events.filter((event) => event.data.status === 'sent').map((event) => event.data.userID)).toEqual(['u0', 'u1', 'u2', 'u3']);
			expect(events.find((event) => event.data.userID === 'no-wa').data).toMatchObject({
				status: 'failed',
				recipient: '4915100000000',
				reason: expect.stringContaining('no WhatsApp account'),
			});
			expect(events.filter((event) => event.data.status === 'skipped')).toHaveLength(2);
			const metrics = await gw.call('GET', '/metrics');
			expect(metrics.text).toContain(`whatsapp_lite_quota_used{suit="${SUIT}"} 4`);
			expect(metrics.text).toContain(`whatsapp_lite_campaign_queue_depth{suit="${SUIT}"} 0`);
			const again = await bulk(gw, { message: 'Hi', receivers: [{ mobileNum: numbers(1)[0] }] });
			expect(again.body.error.code).toBe('CAMPAIGN_SETTINGS_DIFFER');
		} finally {
			await gw.stop();
			await receiver.stop();
			await media.stop();
		}
	});

	it('refuses another suit and a body without receivers', async () => {
		const gw = await startGateway({ redisUrl: redis.url });
		try {
			expect(
				(await gw.call('POST', '/other-suit/send', { UOWHATSAPP: { message: 'x', receivers: [{ mobileNum: numbers(1)[0] }] } })).body.error
					.message,
			).toContain('suit-1');
			expect((await bulk(gw, { message: 'x', receivers: [] })).body.error.code).toBe('INVALID_REQUEST');
			expect((await gw.call('POST', `/${SUIT}/send`, { message: 'x' })).body.error.code).toBe('INVALID_REQUEST');
		} finally {
			await gw.stop();
		}
	});
});
