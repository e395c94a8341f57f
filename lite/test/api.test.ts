import { startGateway, API_KEY, call, type TestGateway } from './helpers/gateway';
import { startRedis, type TestRedis } from '../../test/harness/redis';
import { startMediaServer, type LoopbackServer } from './helpers/loopbackServer';

let redis: TestRedis;
let gw: TestGateway;
let media: LoopbackServer;

beforeAll(async () => {
	redis = await startRedis();
	media = await startMediaServer();
	gw = await startGateway({ redisUrl: redis.url });
});
afterAll(async () => {
	await gw.stop();
	await media.stop();
	await redis.stop();
});
beforeEach(() => gw.sandbox.clear());

const send = (body: unknown) => gw.call('POST', '/api/send-message', body);

describe('authentication', () => {
	const protectedRoutes: Array<[string, string]> = [
		['GET', '/metrics'],
		['GET', '/whatsapp-login'],
		['GET', '/whatsapp-status'],
		['POST', '/api/send-message'],
		['POST', '/api/mark-read'],
		['POST', '/suit-1/send'],
		['POST', '/webhooks'],
		['GET', '/webhooks'],
		['DELETE', '/webhooks/wh_1'],
		['GET', '/sandbox/messages'],
		['DELETE', '/sandbox/messages'],
		['POST', '/sandbox/inbound'],
	];

	it.each(protectedRoutes)('%s %s answers 401 without the key and with a wrong one', async (method, path) => {
		const body = method === 'POST' ? {} : undefined;
		const headerSets: Array<Record<string, string>> = [
			{},
			{ appApiKey: 'wrong' },
			{ Authorization: 'Bearer wrong' },
			{ appApiKey: `${API_KEY}x` },
		];
		for (const headers of headerSets) {
			const answer = await call(gw.url, method, path, body, headers);
			expect(answer.status).toBe(401);
			expect(answer.body.error).toMatchObject({ code: 'UNAUTHORIZED' });
			expect(answer.body.error.fix).toContain('appApiKey');
		}
	});

	it('accepts the key in appApiKey or as a Bearer token', async () => {
		expect((await call(gw.url, 'GET', '/whatsapp-status', undefined, { appApiKey: API_KEY })).status).toBe(200);
		expect((await call(gw.url, 'GET', '/whatsapp-status', undefined, { Authorization: `Bearer ${API_KEY}` })).status).toBe(200);
	});

	it('leaves /healthz open', async () => {
		const answer = await call(gw.url, 'GET', '/healthz');
		expect(answer).toMatchObject({ status: 200, body: { ok: true, session: 'ready' } });
	});

	it('answers 404 for an unknown route', async () => {
		expect((await gw.call('GET', '/nope')).body.error.code).toBe('NOT_FOUND');
	});
});

describe('session', () => {
	it('reports a ready sandbox session', async () => {
		const status = await gw.call('GET', '/whatsapp-status');
		expect(status.body).toMatchObject({ authenticated: true, status: 'ready' });
		expect(Date.parse(status.body.lastAuthenticated)).toBeGreaterThan(Date.now() - 60_000);
		expect((await gw.call('GET', '/whatsapp-login')).body).toEqual({ status: 'already_authenticated' });
	});

	it('shows the QR and refuses sends with 409 until the QR is scanned', async () => {
		const waiting = await startGateway({ redisUrl: redis.url, sandboxLoginDelayMs: -1 });
		try {
			expect((await waiting.call('GET', '/whatsapp-status')).body).toEqual({
				authenticated: false,
				status: 'waiting_for_scan',
				lastAuthenticated: null,
			});
			const login = await waiting.call('GET', '/whatsapp-login');
			expect(login.body.status).toBe('waiting_for_scan');
			expect(login.body.qr).toMatch(/^sandbox-login-/);
			expect(login.body.qrCode).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
			const refused = await waiting.call('POST', '/api/send-message', { number: '4915123456789', message: 'hi' });
			expect(refused.status).toBe(409);
			expect(refused.body.error.code).toBe('SESSION_NOT_READY');
			expect(refused.body.error.message).toContain('scan the QR at /whatsapp-login');
			expect((await waiting.call('POST', '/api/mark-read', { chatId: '4915123456789@c.us' })).status).toBe(409);
			expect(waiting.sandbox.sent).toHaveLength(0);
		} finally {
			await waiting.stop();
		}
	});
});

describe('POST /api/send-message', () => {
	it('sends text to a normalised number', async () => {
		const answer = await send({ number: '+49 (151) 234-56789', message: 'Hello', quotedMessageId: 'false_491512345678@c.us_ABC' });
		expect(answer.status).toBe(200);
		expect(answer.body).toMatchObject({ success: true, chatId: '4915123456789@c.us' });
		expect(gw.sandbox.sent).toEqual([
			expect.objectContaining({
				id: answer.body.messageId,
				chatId: '4915123456789@c.us',
				content: { kind: 'text', text: 'Hello' },
				quotedMessageId: 'false_491512345678@c.us_ABC',
			}),
		]);
	});

	it('sends media by URL with the message as caption, fetching it as the real driver would', async () => {
		media.hits.length = 0;
		await send({ number: '4915123456789', message: 'Look', imageUrl: `${media.url}/a.jpg` });
		await send({ number: '4915123456789', audioUrl: `${media.url}/a.ogg`, sendAudioAsVoice: true });
		await send({ number: '4915123456789', documentUrl: `${media.url}/a.pdf`, filename: 'invoice.pdf' });
		expect(gw.sandbox.sent.map((sent) => sent.content)).toEqual([
			{ kind: 'media', mediaType: 'image', source: { url: `${media.url}/a.jpg` }, caption: 'Look', asVoice: false },
			{ kind: 'media', mediaType: 'audio', source: { url: `${media.url}/a.ogg` }, asVoice: true },
			{ kind: 'media', mediaType: 'document', source: { url: `${media.url}/a.pdf` }, filename: 'invoice.pdf', asVoice: false },
		]);
		expect(media.hits).toEqual(['/a.jpg', '/a.ogg', '/a.pdf']);
	});

	it('answers 422 MEDIA_UNAVAILABLE for a media URL that does not answer the file, sending nothing', async () => {
		const missing = await send({ number: '4915123456789', imageUrl: `${media.url}/missing` });
		expect(missing.status).toBe(422);
		expect(missing.body.error).toMatchObject({ code: 'MEDIA_UNAVAILABLE', message: expect.stringContaining('HTTP 404') });
		expect(missing.body.error.message).not.toContain('/missing');
		expect(gw.sandbox.sent).toHaveLength(0);
	});

	it('refuses a message text over MAX_TEXT_LENGTH with 400 naming the limit', async () => {
		const tooLong = await send({ number: '4915123456789', message: 'x'.repeat(4097) });
		expect(tooLong.status).toBe(400);
		expect(tooLong.body.error).toMatchObject({
			code: 'INVALID_REQUEST',
			message: expect.stringContaining('4097 characters'),
			fix: expect.stringContaining('MAX_TEXT_LENGTH'),
		});
		expect((await send({ number: '4915123456789', message: 'x'.repeat(4096) })).status).toBe(200);
	});

	it('sends inline base64 media and refuses media over the limit with 413', async () => {
		const data = Buffer.from('a small png').toString('base64');
		const answer = await send({
			number: '4915123456789',
			mediaType: 'sticker',
			media: { data, mimetype: 'image/webp', filename: 's.webp' },
		});
		expect(answer.status).toBe(200);
		expect(gw.sandbox.sent[0].content).toMatchObject({
			kind: 'media',
			mediaType: 'sticker',
			source: { data, mimetype: 'image/webp', filename: 's.webp' },
		});
		const tooLarge = await send({
			number: '4915123456789',
			mediaType: 'image',
			media: { data: Buffer.alloc(2000).toString('base64'), mimetype: 'image/png' },
		});
		expect(tooLarge.status).toBe(413);
		expect(tooLarge.body.error).toMatchObject({ code: 'MEDIA_TOO_LARGE' });
		const hugeBody = await send({ number: '4915123456789', message: 'x', padding: 'x'.repeat(200_000) });
		expect(hugeBody.status).toBe(413);
	});

	it('sends to a group chat ID without a number lookup', async () => {
		const answer = await send({ number: '120363012345678901@g.us', message: 'Hi all' });
		expect(answer.body).toMatchObject({ success: true, chatId: '120363012345678901@g.us' });
	});

	it('sends a location and a reaction', async () => {
		await send({ number: '4915123456789', location: { latitude: 52.52, longitude: 13.4, name: 'Berlin', address: 'Mitte' } });
		const reaction = await send({ number: '4915123456789', reaction: { messageId: 'false_4915123456789@c.us_XYZ', emoji: '👍' } });
		expect(reaction.body.messageId).toBe('false_4915123456789@c.us_XYZ');
		expect(gw.sandbox.sent.map((sent) => sent.content)).toEqual([
			{ kind: 'location', latitude: 52.52, longitude: 13.4, name: 'Berlin', address: 'Mitte' },
			{ kind: 'reaction', messageId: 'false_4915123456789@c.us_XYZ', emoji: '👍' },
		]);
	});

	it('takes a reaction back with an empty emoji, and refuses a reaction without one', async () => {
		await send({ number: '4915123456789', reaction: { messageId: 'false_4915123456789@c.us_XYZ', emoji: '' } });
		expect(gw.sandbox.sent.map((sent) => sent.content)).toEqual([
			{ kind: 'reaction', messageId: 'false_4915123456789@c.us_XYZ', emoji: '' },
		]);
		const missing = await send({ number: '4915123456789', reaction: { messageId: 'false_4915123456789@c.us_XYZ' } });
		expect(missing.status).toBe(400);
		expect(missing.body.error.message).toMatch(/reaction\.emoji is missing: it must be a string/);
	});

	it('answers 400 naming an invalid number, and 400 for a wrong body', async () => {
		const invalid = await send({ number: '12ab', message: 'x' });
		expect(invalid.status).toBe(400);
		expect(invalid.body.error.code).toBe('INVALID_NUMBER');
		expect(invalid.body.error.message).toContain('"12ab"');
		for (const body of [
			{ number: '4915123456789' },
			{ number: '4915123456789', imageUrl: 'https://a/b', videoUrl: 'https://a/c' },
			{ number: '4915123456789', location: { latitude: 100, longitude: 0 } },
		]) {
			expect((await send(body)).body.error.code).toBe('INVALID_REQUEST');
		}
		expect((await gw.call('POST', '/api/send-message', '{not json')).body.error.code).toBe('INVALID_REQUEST');
		expect(gw.sandbox.sent).toHaveLength(0);
	});

	it('answers 404 NOT_ON_WHATSAPP for a number without WhatsApp and gives the quota back', async () => {
		const usedBefore = await quotaUsed();
		const answer = await send({ number: '4915100000000', message: 'x' });
		expect(answer.status).toBe(404);
		expect(answer.body.error).toMatchObject({ code: 'NOT_ON_WHATSAPP' });
		expect(answer.body.error.message).toContain('4915100000000');
		expect(await quotaUsed()).toBe(usedBefore);
	});
});

async function quotaUsed(): Promise<number> {
	const metrics = await gw.call('GET', '/metrics');
	return Number(/whatsapp_lite_quota_used\{suit="suit-1"\} (\d+)/.exec(metrics.text)?.[1]);
}

describe('POST /api/mark-read', () => {
	it('marks a chat read, taking the chat from the message ID when none is given', async () => {
		expect((await gw.call('POST', '/api/mark-read', { chatId: '4915123456789@c.us', messageId: 'm1', typing: true })).body).toEqual({
			success: true,
		});
		expect((await gw.call('POST', '/api/mark-read', { messageId: 'false_4915999999999@c.us_3EB0' })).status).toBe(200);
		expect(gw.sandbox.reads).toEqual([
			expect.objectContaining({ chatId: '4915123456789@c.us', typing: true }),
			expect.objectContaining({ chatId: '4915999999999@c.us', typing: false }),
		]);
		expect((await gw.call('POST', '/api/mark-read', { messageId: 'm2' })).body.error.code).toBe('INVALID_REQUEST');
	});
});

describe('sandbox and metrics routes', () => {
	it('lists and clears the sandbox messages', async () => {
		await send({ number: '4915123456789', message: 'one' });
		const listed = await gw.call('GET', '/sandbox/messages');
		expect(listed.body.messages).toHaveLength(1);
		expect((await gw.call('DELETE', '/sandbox/messages')).status).toBe(204);
		expect((await gw.call('GET', '/sandbox/messages')).body).toEqual({ messages: [], reads: [] });
	});

	it('exposes Prometheus metrics', async () => {
		const before = await gw.call('GET', '/metrics');
		const sent = Number(/whatsapp_lite_messages_sent_total\{suit="suit-1"\} (\d+)/.exec(before.text)?.[1]);
		await send({ number: '4915123456789', message: 'count me' });
		const after = await gw.call('GET', '/metrics');
		expect(after.text).toContain(`whatsapp_lite_messages_sent_total{suit="suit-1"} ${sent + 1}`);
		expect(after.text).toMatch(/# TYPE whatsapp_lite_messages_failed_total counter/);
		expect(after.text).toContain('whatsapp_lite_quota_limit{suit="suit-1"} 300');
		expect(after.text).toContain('whatsapp_lite_campaign_queue_depth{suit="suit-1"} 0');
		expect(after.text).toContain('whatsapp_lite_session_state{suit="suit-1",state="ready"} 1');
	});
});
