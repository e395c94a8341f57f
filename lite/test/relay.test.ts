import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metaSignatureHeader, verifyLiteSignature } from '../../contract/signatures';
import { normaliseCloud } from '../../nodes/whatsapp/inbound/normaliseCloud';
import { metaWebhookBody } from '../../test/fakes/metaWebhook';
import { startRedis, type TestRedis } from '../../test/harness/redis';
import { loadConfig } from '../src/config';
import { parseRelayApps } from '../src/relay/settings';
import { API_KEY, call, startGateway, type TestGateway } from './helpers/gateway';
import { startReceiver, type Delivery, type WebhookReceiver } from './helpers/receiver';
import { waitFor } from './helpers/wait';

const APP_SECRET = 'meta-app-secret-of-shop';
const VERIFY_TOKEN = 'verify-token-of-shop';
const relayApps = parseRelayApps(JSON.stringify({ shop: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } }));
const secretOf = (name: string) => `subscriber-secret-${name}-`.padEnd(40, 'x');

let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(() => redis.stop());

let sequence = 0;
const message = (to: string, text = 'hello') => ({
	phoneNumberId: to,
	value: {
		contacts: [{ profile: { name: 'Ana' }, wa_id: '4915123456789' }],
		messages: [{ from: '4915123456789', id: `wamid.M${++sequence}`, timestamp: '1760000000', type: 'text', text: { body: text } }],
	},
});
const status = (to: string, state = 'delivered') => ({
	phoneNumberId: to,
	value: { statuses: [{ id: `wamid.S${++sequence}`, status: state, timestamp: '1760000000', recipient_id: '4915123456789' }] },
});
/** One Meta delivery of several events (each part a change of the one entry). */
function delivery(...parts: Array<{ phoneNumberId: string; value: Record<string, unknown> }>) {
	const changes = parts.map(({ phoneNumberId, value }) => metaWebhookBody(value, phoneNumberId).entry[0].changes[0]);
	return { object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes }] };
}

async function postMeta(gw: TestGateway, body: unknown, headers: Record<string, string> = {}, app = 'shop') {
	const raw = typeof body === 'string' ? body : JSON.stringify(body);
	return await call(gw.url, 'POST', `/meta/${app}`, raw, {
		'Content-Type': 'application/json',
		'X-Hub-Signature-256': metaSignatureHeader(APP_SECRET, raw),
		...headers,
	});
}

async function subscribe(gw: TestGateway, url: string, name: string, filter: Record<string, unknown> = {}) {
	const answer = await gw.call('POST', '/relay/subscribers', { url, secret: secretOf(name), ...filter });
	expect(answer.status).toBe(201);
	return answer.body as { id: string };
}

const idsIn = (deliveries: Delivery[]) =>
	deliveries.flatMap((d) => normaliseCloud(d.body).map((event) => `${event.event}:${event.messageId}`)).sort();

describe('the relay facing Meta', () => {
	let gw: TestGateway;
	let receiver: WebhookReceiver;
	beforeAll(async () => {
		gw = await startGateway({ redisUrl: redis.url, relayApps });
		receiver = await startReceiver();
		await subscribe(gw, receiver.url, 'all');
	});
	afterAll(async () => {
		await gw.stop();
		await receiver.stop();
	});

	it("answers Meta's handshake with the app's verify token only, without the API key", async () => {
		const query = (token: string) => `/meta/shop?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`;
		expect(await call(gw.url, 'GET', query(VERIFY_TOKEN))).toMatchObject({ status: 200, text: '1158201444' });
		expect((await call(gw.url, 'GET', query('wrong'))).status).toBe(403);
		expect((await call(gw.url, 'GET', '/meta/shop?hub.challenge=1')).status).toBe(400);
		expect((await call(gw.url, 'GET', `/meta/other?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`)).status).toBe(404);
	});

	it('refuses forged, unsigned, unknown-app and oversized posts, and none of them reaches a subscriber', async () => {
		const forged = delivery(message('111', 'forged'));
		expect(
			(await postMeta(gw, forged, { 'X-Hub-Signature-256': metaSignatureHeader('not the secret', JSON.stringify(forged)) })).status,
		).toBe(401);
		const raw = JSON.stringify(delivery(message('111', 'unsigned')));
		const unsigned = await fetch(`${gw.url}/meta/shop`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: raw });
		expect(unsigned.status).toBe(401);
		expect((await postMeta(gw, delivery(message('111', 'other app')), {}, 'nope')).status).toBe(404);
		const huge = JSON.stringify({ object: 'whatsapp_business_account', padding: 'x'.repeat(gw.config.relayMaxBodyBytes) });
		expect((await postMeta(gw, huge)).status).toBe(413);
		expect(gw.gateway.relay!.relay.counts.refused).toBe(2);
		// A genuine delivery after them arrives alone.
		const genuine = delivery(message('111', 'genuine'));
		expect((await postMeta(gw, genuine)).status).toBe(200);
		await waitFor(() => receiver.deliveries.length >= 1, 5_000, 'the genuine delivery');
		expect(receiver.deliveries.map((d) => d.body)).toEqual([genuine]);
	});

	it("drops Meta's redelivery of a delivery already recorded (pending or delivered)", async () => {
		const before = receiver.deliveries.length;
		const body = delivery(message('111', 'once'));
		expect((await postMeta(gw, body)).status).toBe(200);
		await waitFor(() => receiver.deliveries.length === before + 1, 5_000, 'the delivery');
		const duplicates = gw.gateway.relay!.relay.counts.duplicates;
		expect((await postMeta(gw, body)).status).toBe(200);
		expect(gw.gateway.relay!.relay.counts.duplicates).toBe(duplicates + 1);
		const next = delivery(message('111', 'next'));
		expect((await postMeta(gw, next)).status).toBe(200);
		await waitFor(() => receiver.deliveries.length === before + 2, 5_000, 'the next delivery');
		expect(receiver.deliveries.slice(before).map((d) => d.body)).toEqual([body, next]);
	});
});

describe('subscribers', () => {
	let gw: TestGateway;
	const receivers: Record<string, WebhookReceiver> = {};
	beforeAll(async () => {
		gw = await startGateway({ redisUrl: redis.url, relayApps });
		for (const name of ['all', 'statuses', 'second']) receivers[name] = await startReceiver();
	});
	afterAll(async () => {
		await gw.stop();
		for (const receiver of Object.values(receivers)) await receiver.stop();
	});

	it('registers idempotently, never shows a secret, refuses bad registrations with the field named, unregisters', async () => {
		const first = await subscribe(gw, 'https://n8n.example.com/webhook/x', 'x', { events: ['message'] });
		const again = await gw.call('POST', '/relay/subscribers', {
			url: 'https://n8n.example.com/webhook/x',
			secret: secretOf('x'),
			events: ['status', 'message'],
			phoneNumberIds: ['222'],
		});
		expect(again.body).toMatchObject({ id: first.id, events: ['message', 'status'], phoneNumberIds: ['222'] });
		expect(again.text).not.toContain(secretOf('x'));
		expect((await gw.call('GET', '/relay/subscribers')).text).not.toContain(secretOf('x'));
		const refused = await gw.call('POST', '/relay/subscribers', { url: 'http://169.254.169.254/latest', secret: secretOf('m') });
		expect(refused.status).toBe(400);
		expect(refused.body.error).toMatchObject({ code: 'URL_NOT_ALLOWED', message: expect.stringContaining('url') });
		expect(
			(await gw.call('POST', '/relay/subscribers', { url: 'https://n8n.example.com/w', secret: 'short' })).body.error.message,
		).toContain('secret');
		expect(
			(await gw.call('POST', '/relay/subscribers', { url: 'https://n8n.example.com/w', secret: secretOf('w'), events: ['session'] })).body
				.error.message,
		).toContain('events');
		expect(
			(await gw.call('POST', '/relay/subscribers', { url: 'https://n8n.example.com/w', secret: secretOf('w'), app: 'other' })).body.error
				.message,
		).toContain('app is "other"');
		expect((await call(gw.url, 'POST', '/relay/subscribers', { url: 'https://n8n.example.com/w', secret: secretOf('w') })).status).toBe(
			401,
		);
		expect((await gw.call('DELETE', `/relay/subscribers/${first.id}`)).status).toBe(204);
		expect((await gw.call('DELETE', `/relay/subscribers/${first.id}`)).status).toBe(404);
		expect((await gw.call('GET', '/relay/subscribers')).body.subscribers).toEqual([]);
	});

	it('gives each subscriber exactly its events, in Meta’s shape, signed with its own secret; unregistering stops them', async () => {
		const all = await subscribe(gw, receivers.all.url, 'all', { events: ['message'] });
		await subscribe(gw, receivers.statuses.url, 'statuses', { events: ['status'] });
		await subscribe(gw, receivers.second.url, 'second', { events: ['message'], phoneNumberIds: ['222'] });
		const body = delivery(message('111'), status('111'), message('222'), status('222', 'read'));
		expect((await postMeta(gw, body)).status).toBe(200);
		await waitFor(() => Object.values(receivers).every((receiver) => receiver.deliveries.length === 1), 5_000, 'three deliveries');
		const events = normaliseCloud(body);
		const expected = (keep: (event: (typeof events)[number]) => boolean) =>
			events
				.filter(keep)
				.map((event) => `${event.event}:${event.messageId}`)
				.sort();
		expect(idsIn(receivers.all.deliveries)).toEqual(expected((event) => event.event === 'message'));
		expect(idsIn(receivers.statuses.deliveries)).toEqual(expected((event) => event.event === 'status'));
		expect(idsIn(receivers.second.deliveries)).toEqual(expected((event) => event.event === 'message' && event.businessNumber === '222'));
		// The trigger reads the part as it reads Meta's: the same items as from the whole delivery.
		expect(normaliseCloud(receivers.second.deliveries[0].body)).toEqual(
			events.filter((event) => event.event === 'message' && event.businessNumber === '222'),
		);
		const now = Math.floor(Date.now() / 1000);
		for (const [name, receiver] of Object.entries(receivers)) {
			const { raw, headers } = receiver.deliveries[0];
			expect(verifyLiteSignature(secretOf(name), raw, headers['x-relay-signature'] as string, now)).toEqual({ valid: true });
			expect(verifyLiteSignature(secretOf('other'), raw, headers['x-relay-signature'] as string, now).valid).toBe(false);
		}

		expect((await gw.call('DELETE', `/relay/subscribers/${all.id}`)).status).toBe(204);
		expect((await postMeta(gw, delivery(message('222'), status('222')))).status).toBe(200);
		await waitFor(
			() => receivers.second.deliveries.length === 2 && receivers.statuses.deliveries.length === 2,
			5_000,
			'the next deliveries',
		);
		expect(receivers.all.deliveries).toHaveLength(1);
	});
});

/** A subscriber that takes requests and never answers them. */
async function startDeadServer(): Promise<{ url: string; requests: () => number; stop(): Promise<void> }> {
	let requests = 0;
	const server: Server = createServer(() => requests++);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dead`,
		requests: () => requests,
		stop: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

describe('a dead subscriber', () => {
	it('keeps at most its bound and its share of the slots; the others get every event, each once', async () => {
		const dead = await startDeadServer();
		const live = await startReceiver([500]);
		const gw = await startGateway({
			redisUrl: redis.url,
			relayApps,
			relaySubscriberBacklogMax: 5,
			relaySubscriberConcurrency: 2,
			webhookMaxConcurrent: 3,
			webhookTimeoutMs: 60_000,
		});
		try {
			const deadOne = await subscribe(gw, dead.url, 'dead');
			const liveOne = await subscribe(gw, live.url, 'live');
			const { relay } = gw.gateway.relay!;
			const bodies = Array.from({ length: 20 }, (_, index) => delivery(message('111', `event ${index}`)));
			// Each event reaches the live subscriber while the dead one holds its slots and fills its bound.
			for (const [index, body] of bodies.entries()) {
				expect((await postMeta(gw, body)).status).toBe(200);
				await waitFor(() => relay.counts.delivered === index + 1, 5_000, `event ${index} at the live subscriber`);
			}
			// The first answer was a 500: retried once, and every event arrived exactly once after a 2xx.
			const texts = (list: unknown[]) => list.map((body) => normaliseCloud(body)[0].text).sort();
			expect(texts(live.deliveries.map((d) => d.body))).toEqual(texts([bodies[0], ...bodies]));
			expect(dead.requests()).toBe(2);
			expect(relay.backlog().get(deadOne.id)).toBe(5);
			expect(relay.backlog().get(liveOne.id) ?? 0).toBe(0);
			expect(relay.counts.dropped).toBe(15);
			const metrics = (await gw.call('GET', '/metrics')).text;
			expect(metrics).toContain(`whatsapp_lite_relay_subscriber_backlog{subscriber="${deadOne.id}"} 5`);
			expect(metrics).toContain('whatsapp_lite_relay_subscriber_deliveries_dropped_total{} 15');
			expect(metrics).toContain('whatsapp_lite_relay_subscriber_deliveries_total{} 20');
			const page = await gw.call('GET', '/ui/state');
			expect(page.body.relay).toMatchObject({
				accepted: 20,
				dropped: 15,
				subscribers: expect.arrayContaining([{ id: deadOne.id, backlog: 5 }]),
			});
			const listed = await gw.call('GET', '/relay/subscribers');
			expect(listed.body.subscribers.find((s: { id: string }) => s.id === deadOne.id).backlog).toBe(5);
		} finally {
			await gw.stop();
			await dead.stop();
			await live.stop();
		}
	});
});

test('the API key guards the subscribers but not Meta’s callback', async () => {
	const gw = await startGateway({ relayApps });
	try {
		expect((await call(gw.url, 'GET', '/relay/subscribers')).status).toBe(401);
		expect((await call(gw.url, 'GET', '/relay/subscribers', undefined, { appApiKey: API_KEY })).status).toBe(200);
	} finally {
		await gw.stop();
	}
});

describe('a relay without WhatsApp Web (DRIVER=none)', () => {
	it('relays while sends answer that there is no session; it needs a real API key and a well-formed RELAY_APPS', async () => {
		expect(() => loadConfig({ DRIVER: 'none' })).toThrow('API_KEY is required with DRIVER=none');
		expect(() => loadConfig({ RELAY_APPS: '{"shop": {"appSecret": "s"}}' })).toThrow('RELAY_APPS: app "shop" has no verifyToken');
		expect(() => loadConfig({ RELAY_APPS: '{"a/b": {"appSecret": "s", "verifyToken": "t"}}' })).toThrow('the app name "a/b"');
		expect(() => loadConfig({ RELAY_APPS: 'shop' })).toThrow('RELAY_APPS is not valid JSON');
		const receiver = await startReceiver();
		const gw = await startGateway({ driver: 'none', redisUrl: redis.url, relayApps });
		try {
			await subscribe(gw, receiver.url, 'none');
			const body = delivery(message('111', 'no session needed'));
			expect((await postMeta(gw, body)).status).toBe(200);
			await waitFor(() => receiver.deliveries.length === 1, 5_000, 'the delivery');
			expect(receiver.deliveries[0].body).toEqual(body);
			expect((await gw.call('GET', '/whatsapp-status')).body).toMatchObject({ authenticated: false, status: 'disconnected' });
			const send = await gw.call('POST', '/api/send-message', { number: '+49 151 23456789', message: 'Hi' });
			expect(send.status).toBe(409);
		} finally {
			await gw.stop();
			await receiver.stop();
		}
	});
});
