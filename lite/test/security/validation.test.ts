import { startRedis, type TestRedis } from '../../../test/harness/redis';
import { startGateway, SUIT, type TestGateway } from '../helpers/gateway';

/**
 * Every route reads its request through one schema (issue 21): delays within their documented bound, IDs of a bounded
 * charset and length, numbers as strings, nesting depth bounded. A refusal is a 400 naming the field, the value and
 * the fix, and nothing is queued or sent.
 */
let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(() => redis.stop());

const campaign = (uo: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
	UOWHATSAPP: { message: 'Hi {{user.name}}', receivers: [{ mobileNum: '4915123456789' }], ...uo },
	campaign_id: 'c1',
	...extra,
});

describe.each([
	['Redis', () => ({ redisUrl: redis.url })],
	['in-memory state', () => ({ redisUrl: undefined })],
])('request validation with %s', (_, state) => {
	let gw: TestGateway;
	beforeEach(async () => {
		// The session never logs in: whatever a test queued stays queued (an accepted campaign is cancelled).
		gw = await startGateway({ ...state(), sandboxLoginDelayMs: -1, maxInlineMediaBytes: 2 * 1024 * 1024 });
	});
	afterEach(async () => {
		await gw.stop();
		expect(gw.sandbox.sent).toEqual([]);
	});

	const refusal = async (path: string, body: unknown, method = 'POST') => {
		const answer = await gw.call(method, path, body);
		expect(answer.status).toBe(400);
		expect(answer.body.error.code).toBe('INVALID_REQUEST');
		return answer.body.error;
	};

	it.each([
		['1e308 (Infinity once in milliseconds)', 1e308],
		['1e9 (the suit held until 2031)', 1e9],
		['a day and a minute', 1441],
		['negative', -1],
		['a list', [5]],
	])('refuses min_delay %s with the field, the value and the bound', async (__, minDelay) => {
		const error = await refusal(`/${SUIT}/send`, campaign({ min_delay: minDelay }));
		expect(error).toMatchObject({
			field: 'UOWHATSAPP.min_delay',
			value: JSON.stringify(minDelay),
			message: expect.stringContaining('a number of minutes from 0 to 1440'),
			fix: expect.stringContaining('Send UOWHATSAPP.min_delay as a number of minutes from 0 to 1440'),
		});
		expect((await gw.call('GET', `/${SUIT}/campaigns/c1`)).status).toBe(404);
	});

	it('takes delays up to the bound, as numbers or decimal strings', async () => {
		const answer = await gw.call('POST', `/${SUIT}/send`, campaign({ min_delay: '1440', max_delay: 1440 }));
		expect(answer.status).toBe(202);
		expect((await gw.call('POST', `/${SUIT}/campaigns/c1/cancel`)).body.state).toBe('cancelled');
	});

	it('refuses a campaign_id of a million characters, and echoes only its start', async () => {
		const answer = await gw.call('POST', `/${SUIT}/send`, campaign({}, { campaign_id: 'x'.repeat(1_000_000) }));
		expect(answer.status).toBe(400);
		expect(answer.text.length).toBeLessThan(2_000);
		expect(answer.body.error).toMatchObject({ field: 'campaign_id', value: expect.stringContaining('(1000000 characters)') });
	});

	it('refuses campaign IDs outside the charset in the body and in the path', async () => {
		expect(await refusal(`/${SUIT}/send`, campaign({}, { campaign_id: 'bad\u0000id' }))).toMatchObject({ field: 'campaign_id' });
		expect(await refusal(`/${SUIT}/campaigns/${'y'.repeat(129)}/cancel`, undefined)).toMatchObject({ field: 'campaignId' });
		expect(await refusal(`/${SUIT}/campaigns/a%0Ab`, undefined, 'GET')).toMatchObject({ field: 'campaignId', value: '"a\\nb"' });
	});

	it('answers a receiver nested 5,000 deep with 400, not a stack overflow', async () => {
		const deep = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
		const body = `{"UOWHATSAPP":{"message":"Hi","receivers":[{"mobileNum":"4915123456789","user":${deep}}]},"campaign_id":"deep"}`;
		const error = await refusal(`/${SUIT}/send`, body);
		expect(error.message).toContain('more than 32 levels deep (at UOWHATSAPP.receivers.0.user.a.a');
	});

	it('refuses a number given as a JSON list or a JSON number, in single sends and campaigns', async () => {
		expect(await refusal('/api/send-message', { number: ['4915123456789'], message: 'Hi' })).toMatchObject({
			field: 'number',
			value: '["4915123456789"]',
			fix: expect.stringContaining('Send number as a string'),
		});
		expect(await refusal('/api/send-message', { number: 4915123456789, message: 'Hi' })).toMatchObject({ field: 'number' });
		expect(await refusal(`/${SUIT}/send`, campaign({ receivers: [{ mobileNum: ['4915123456789'] }] }))).toMatchObject({
			field: 'UOWHATSAPP.receivers.0',
		});
	});

	it('refuses wrong types in the other routes with the field named', async () => {
		expect(await refusal('/api/send-message', { number: '4915123456789', location: { latitude: 'north', longitude: 1 } })).toMatchObject({
			field: 'location.latitude',
		});
		expect(await refusal('/api/mark-read', { chatId: { $ne: 1 } })).toMatchObject({ field: 'chatId' });
		expect(await refusal('/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['message', 'everything'] })).toMatchObject({
			field: 'events.1',
		});
		expect(await refusal(`/webhooks/${'z'.repeat(200)}`, undefined, 'DELETE')).toMatchObject({ field: 'id' });
	});
});
