import type { HttpRequester } from '../../nodes/whatsapp/channel/http';
import { LiteChannel } from '../../nodes/whatsapp/channel/lite';
import { WhatsAppError } from '../../contract/errors';
import { verifyLiteSignature } from '../../contract/signatures';
import type { Envelope, OutboundMessage } from '../../nodes/whatsapp/message';
import { parseRecipient } from '../../contract/phone';
import { API_KEY, SECRET, SUIT, startGateway, type TestGateway } from './helpers/gateway';
import { startReceiver } from './helpers/receiver';
import { startRedis, type TestRedis } from '../../test/harness/redis';
import { waitFor } from './helpers/wait';
import { startLiteTrigger, liteCredentials } from '../../test/trigger/fixtures';
import { startMediaServer, type LoopbackServer } from './helpers/loopbackServer';
import { SANDBOX_ACCOUNT } from '../src/drivers/sandbox';

/** What the nodes' Lite credential does: the key in appApiKey, JSON in and out. */
const requester =
	(apiKey: string): HttpRequester =>
	async (request) => {
		const response = await fetch(request.url, {
			method: request.method,
			headers: { appApiKey: apiKey, 'Content-Type': 'application/json', ...request.headers },
			body: request.body === undefined ? undefined : JSON.stringify(request.body),
		});
		return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
	};

const envelope = (message: OutboundMessage, to = '+49 151 23456789', replyTo?: string): Envelope => ({
	to: parseRecipient(to),
	message,
	...(replyTo && { replyTo }),
});

async function failure(promise: Promise<unknown>): Promise<WhatsAppError> {
	const error = await promise.then(
		() => undefined,
		(thrown: unknown) => thrown,
	);
	expect(error).toBeInstanceOf(WhatsAppError);
	return error as WhatsAppError;
}

let redis: TestRedis;
let gw: TestGateway;
let channel: LiteChannel;
let media: LoopbackServer;

beforeAll(async () => {
	redis = await startRedis();
	media = await startMediaServer();
	gw = await startGateway({ redisUrl: redis.url, dailyQuota: 8 });
	channel = new LiteChannel({ url: `${gw.url}/`, suitId: SUIT }, requester(API_KEY));
});
afterAll(async () => {
	await gw.stop();
	await media.stop();
	await redis.stop();
});

describe("the nodes' Lite channel against the real gateway", () => {
	it('sees a ready session', async () => {
		expect(await channel.status()).toMatchObject({ ready: true });
	});

	it('sends every message type the channel offers', async () => {
		const results = [
			await channel.send(envelope({ type: 'text', text: 'Hello' }, '+49 151 23456789', 'false_4915123456789@c.us_Q')),
			await channel.send(envelope({ type: 'image', media: { link: `${media.url}/a.jpg` }, caption: 'pic' })),
			await channel.send(envelope({ type: 'audio', media: { binary: { data: Buffer.from('ogg'), mimeType: 'audio/ogg' } }, voice: true })),
			await channel.send(envelope({ type: 'location', latitude: 1, longitude: 2, name: 'Here' }, '120363012345678901@g.us')),
			await channel.send(envelope({ type: 'reaction', messageId: 'false_4915123456789@c.us_Q', emoji: '👍' })),
		];
		// waId as on the Cloud API: a person's digits, a group's chat ID.
		expect(results.map((result) => result.waId)).toEqual([
			'4915123456789',
			'4915123456789',
			'4915123456789',
			'120363012345678901@g.us',
			'4915123456789',
		]);
		expect(gw.sandbox.sent.map((sent) => sent.id)).toEqual(results.map((result) => result.messageId));
		expect(gw.sandbox.sent[2].content).toMatchObject({
			kind: 'media',
			mediaType: 'audio',
			asVoice: true,
			source: { data: Buffer.from('ogg').toString('base64'), mimetype: 'audio/ogg' },
		});
		await channel.markAsRead(results[0].messageId, { typingIndicator: true, chatId: '4915123456789@c.us' });
		expect(gw.sandbox.reads).toHaveLength(1);
	});

	it("turns the gateway's errors into the nodes' WhatsAppErrors", async () => {
		const notOnWhatsApp = await failure(channel.send(envelope({ type: 'text', text: 'x' }, '4915100000000')));
		expect(notOnWhatsApp).toMatchObject({ code: 'NOT_ON_WHATSAPP', httpStatus: 404, retryable: false });
		const unauthorized = await failure(
			new LiteChannel({ url: gw.url, suitId: SUIT }, requester('wrong')).send(envelope({ type: 'text', text: 'x' })),
		);
		expect(unauthorized).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
		while (gw.sandbox.sent.length < 8) await channel.send(envelope({ type: 'text', text: 'fill' }));
		const quota = await failure(channel.send(envelope({ type: 'text', text: 'one too many' })));
		expect(quota).toMatchObject({ kind: 'quota', code: 'QUOTA_EXCEEDED', httpStatus: 429 });
		expect(quota.description).toMatch(/resets at \d{4}-\d\d-\d\dT00:00:00.000Z/);
	});

	it('reports a media URL the gateway refuses as a non-retryable error naming the allow-list', async () => {
		const refused = await failure(channel.send(envelope({ type: 'image', media: { link: 'http://169.254.169.254/latest/meta-data/' } })));
		expect(refused).toMatchObject({
			code: 'URL_NOT_ALLOWED',
			httpStatus: 400,
			retryable: false,
			fix: expect.stringContaining('MEDIA_ALLOWED_HOSTS'),
		});
	});

	it("counts every message in the container's quota, whatever header a caller sends", async () => {
		const small = await startGateway({ redisUrl: redis.url, dailyQuota: 1 });
		try {
			const smallChannel = new LiteChannel({ url: small.url, suitId: SUIT }, requester(API_KEY));
			const claimed = await small.call(
				'POST',
				'/api/send-message',
				{ number: '4915123456789', message: 'claims a reservation' },
				{ appApiKey: API_KEY, 'x-quota-reserved': '1' },
			);
			expect(claimed.status).toBe(200);
			expect(await failure(smallChannel.send(envelope({ type: 'text', text: 'over' })))).toMatchObject({ kind: 'quota', httpStatus: 429 });
			expect(small.sandbox.sent).toHaveLength(1);
		} finally {
			await small.stop();
		}
	});

	it('reports a session waiting for its QR', async () => {
		const waiting = await startGateway({ redisUrl: redis.url, sandboxLoginDelayMs: -1 });
		try {
			const waitingChannel = new LiteChannel({ url: waiting.url, suitId: SUIT }, requester(API_KEY));
			expect(await waitingChannel.status()).toMatchObject({ ready: false, detail: expect.stringContaining('/whatsapp-login') });
			expect(await failure(waitingChannel.send(envelope({ type: 'text', text: 'x' })))).toMatchObject({
				code: 'SESSION_NOT_READY',
				httpStatus: 409,
			});
		} finally {
			await waiting.stop();
		}
	});

	it('registers the WhatsApp Trigger on activation, starts it with a signed incoming message, and removes it on deactivation', async () => {
		const trigger = await startLiteTrigger(
			{ events: ['message'] },
			{ whatsAppLiteApi: liteCredentials({ url: gw.url, apiKey: API_KEY, suitId: SUIT, webhookSecret: SECRET }) },
		);
		try {
			expect(await trigger.activate()).toEqual({ existed: false });
			expect(await trigger.activate()).toEqual({ existed: true });
			await channel.call({ method: 'POST', path: '/sandbox/inbound', body: { from: '4915123456789', body: 'JOIN', name: 'Ada' } });
			const [items] = await waitFor(() => trigger.started.length > 0 && trigger.started, 3_000, 'the trigger to start');
			expect(items.map((item) => item.json)).toEqual([
				expect.objectContaining({
					event: 'message',
					backend: 'lite',
					from: '4915123456789',
					name: 'Ada',
					type: 'text',
					text: 'JOIN',
					businessNumber: SUIT,
					businessDisplayNumber: SANDBOX_ACCOUNT,
				}),
			]);
			expect(await trigger.deactivate()).toBe(true);
			const { webhooks } = (await channel.call({ method: 'GET', path: '/webhooks' })) as { webhooks: unknown[] };
			expect(webhooks).toEqual([]);
		} finally {
			await trigger.close();
		}
	});

	it('delivers events a receiver registered for, signed so verifyLiteSignature accepts them', async () => {
		const receiver = await startReceiver();
		try {
			expect(
				(await channel.call({ method: 'POST', path: '/webhooks', body: { url: receiver.url, events: ['message'] } })) as object,
			).toMatchObject({ events: ['message'] });
			await channel.call({ method: 'POST', path: '/sandbox/inbound', body: { from: '4915123456789', body: 'ping' } });
			const [delivery] = await waitFor(() => receiver.deliveries.length > 0 && receiver.deliveries, 2_000, 'the event');
			expect(
				verifyLiteSignature(SECRET, delivery.raw, delivery.headers['x-lite-signature'] as string, Math.floor(Date.now() / 1000)),
			).toEqual({ valid: true });
			expect(delivery.body.data).toMatchObject({ from: '4915123456789', body: 'ping' });
		} finally {
			await receiver.stop();
		}
	});
});
