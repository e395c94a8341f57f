import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyLiteSignature } from '../../contract/signatures';
import { SANDBOX_ACCOUNT } from '../src/drivers/sandbox';
import { startGateway, SECRET, stateDir, SUIT, type TestGateway } from './helpers/gateway';
import { spawnGateway } from './helpers/process';
import { startReceiver, type Delivery } from './helpers/receiver';
import { startRedis, uniquePrefix, type TestRedis } from '../../test/harness/redis';
import { waitFor } from './helpers/wait';

let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(() => redis.stop());

const expectSigned = (delivery: Delivery) => {
	expect(verifyLiteSignature(SECRET, delivery.raw, delivery.headers['x-lite-signature'] as string, Math.floor(Date.now() / 1000))).toEqual({
		valid: true,
	});
	expect(
		verifyLiteSignature('another secret', delivery.raw, delivery.headers['x-lite-signature'] as string, Math.floor(Date.now() / 1000))
			.valid,
	).toBe(false);
};

describe('webhook registration', () => {
	let gw: TestGateway;
	beforeAll(async () => {
		gw = await startGateway({ redisUrl: redis.url });
	});
	afterAll(() => gw.stop());

	it('registers, updates by URL, lists and deletes webhooks', async () => {
		const created = await gw.call('POST', '/webhooks', { url: 'https://n8n.example.com/webhook/a', events: ['message'] });
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({
			id: expect.stringMatching(/^wh_/),
			url: 'https://n8n.example.com/webhook/a',
			events: ['message'],
		});
		const updated = await gw.call('POST', '/webhooks', { url: 'https://n8n.example.com/webhook/a', events: ['message', 'message_ack'] });
		expect(updated.body).toMatchObject({ id: created.body.id, events: ['message', 'message_ack'], createdAt: created.body.createdAt });
		const other = await gw.call('POST', '/webhooks', { url: 'https://n8n.example.com/webhook/b' });
		expect(other.body.events).toEqual(['message', 'message_ack', 'session', 'campaign']);
		const listed = await gw.call('GET', '/webhooks');
		expect(listed.body.webhooks.map((webhook: { id: string }) => webhook.id)).toEqual([created.body.id, other.body.id]);
		expect((await gw.call('DELETE', `/webhooks/${created.body.id}`)).status).toBe(204);
		expect((await gw.call('DELETE', `/webhooks/${created.body.id}`)).status).toBe(404);
		expect((await gw.call('GET', '/webhooks')).body.webhooks).toHaveLength(1);
	});

	it('refuses a bad URL or unknown events', async () => {
		expect((await gw.call('POST', '/webhooks', { url: 'ftp://x' })).status).toBe(400);
		expect((await gw.call('POST', '/webhooks', { url: 'https://x.example', events: ['everything'] })).body.error.message).toContain(
			'events',
		);
	});
});

describe('event delivery', () => {
	it('delivers a signed message event for a sandbox inbound message', async () => {
		const receiver = await startReceiver();
		const gw = await startGateway({ redisUrl: redis.url });
		try {
			await gw.call('POST', '/webhooks', { url: receiver.url, events: ['message'] });
			const injected = await gw.call('POST', '/sandbox/inbound', { from: '+49 151 23456789', body: 'Hi there', name: 'Ada' });
			expect(injected.status).toBe(201);
			await waitFor(() => receiver.deliveries.length === 1, 2_000, 'the message event');
			const [delivery] = receiver.deliveries;
			expectSigned(delivery);
			expect(delivery.body).toMatchObject({
				id: expect.stringMatching(/^evt_/),
				event: 'message',
				suitId: SUIT,
				account: SANDBOX_ACCOUNT,
				timestamp: expect.any(String),
			});
			expect(delivery.body.data).toEqual({
				id: injected.body.message.id,
				from: '4915123456789',
				chatId: '4915123456789@c.us',
				name: 'Ada',
				fromMe: false,
				type: 'chat',
				body: 'Hi there',
				timestamp: expect.any(Number),
				hasMedia: false,
			});
		} finally {
			await gw.stop();
			await receiver.stop();
		}
	});

	it("carries the linked account's number once the session knows it", async () => {
		const receiver = await startReceiver();
		const gw = await startGateway({ redisUrl: redis.url, sandboxLoginDelayMs: -1 });
		try {
			await gw.call('POST', '/webhooks', { url: receiver.url, events: ['session'] });
			await gw.call('POST', '/sandbox/scan');
			await waitFor(() => receiver.events('session').length === 2, 2_000, 'the authenticated and ready events');
			const accounts = receiver.events('session').map((event) => [event.data.state, event.account]);
			expect(accounts.sort()).toEqual([
				['authenticated', undefined],
				['ready', SANDBOX_ACCOUNT],
			]);
		} finally {
			await gw.stop();
			await receiver.stop();
		}
	});

	it('delivers sent, delivered and read acks for a send', async () => {
		const receiver = await startReceiver();
		const gw = await startGateway({ redisUrl: redis.url });
		try {
			await gw.call('POST', '/webhooks', { url: receiver.url, events: ['message_ack'] });
			const sent = await gw.call('POST', '/api/send-message', { number: '4915123456789', message: 'Hello' });
			await waitFor(() => receiver.events('message_ack').length === 3, 2_000, 'three acks');
			const acks = receiver.events('message_ack').map((event) => event.data);
			expect(acks.map((ack) => [ack.ack, ack.status]).sort()).toEqual([
				[1, 'sent'],
				[2, 'delivered'],
				[3, 'read'],
			]);
			for (const ack of acks) expect(ack).toMatchObject({ id: sent.body.messageId, to: '4915123456789' });
			receiver.deliveries.forEach(expectSigned);
		} finally {
			await gw.stop();
			await receiver.stop();
		}
	});

	it('retries a failed delivery with backoff and gives up after the last attempt', async () => {
		const receiver = await startReceiver([500, 503]);
		const gw = await startGateway({ redisUrl: redis.url, webhookMaxAttempts: 3, webhookRetryBaseMs: 30 });
		try {
			await gw.call('POST', '/webhooks', { url: receiver.url, events: ['message'] });
			await gw.call('POST', '/sandbox/inbound', { from: '4915123456789', body: 'retry me' });
			await waitFor(() => receiver.deliveries.length === 3, 3_000, 'three attempts');
			const [first, , third] = receiver.deliveries;
			expect(new Set(receiver.deliveries.map((delivery) => delivery.body.id)).size).toBe(1);
			expect(third.raw.equals(first.raw)).toBe(true);
			expectSigned(third);

			const failing = await startReceiver([500, 500, 500]);
			await gw.call('POST', '/webhooks', { url: failing.url, events: ['message'] });
			await gw.call('POST', '/sandbox/inbound', { from: '4915123456789', body: 'never delivered' });
			await waitFor(
				async () => (await gw.call('GET', '/metrics')).text.includes(`whatsapp_lite_webhook_deliveries_failed_total{suit="${SUIT}"} 1`),
				3_000,
				'the give-up',
			);
			expect(failing.deliveries).toHaveLength(3);
			await failing.stop();
		} finally {
			await gw.stop();
			await receiver.stop();
		}
	});

	it('never holds up a send while a webhook receiver hangs', async () => {
		const hanging = createServer(() => undefined);
		await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', () => resolve()));
		const gw = await startGateway({ redisUrl: redis.url });
		try {
			await gw.call('POST', '/webhooks', { url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hook` });
			const started = Date.now();
			const answer = await gw.call('POST', '/api/send-message', { number: '4915123456789', message: 'fast' });
			expect(answer.status).toBe(200);
			expect(Date.now() - started).toBeLessThan(1_000);
		} finally {
			await gw.stop();
			hanging.closeAllConnections();
			await new Promise((resolve) => hanging.close(resolve));
		}
	});
});

describe('the outbox', () => {
	it('keeps a delivery retrying across a kill -9 of the gateway: the restarted process delivers the same event', async () => {
		const receiver = await startReceiver([500]);
		const env = {
			REDIS_URL: redis.url,
			REDIS_KEY_PREFIX: uniquePrefix(),
			STATE_DIR: stateDir(),
			WEBHOOK_SECRET: SECRET,
			WEBHOOK_RETRY_BASE_MS: '1500',
		};
		let gateway = await spawnGateway(env);
		try {
			await gateway.call('POST', '/webhooks', { url: receiver.url, events: ['message'] });
			await gateway.call('POST', '/sandbox/inbound', { from: '4915123456789', body: 'retry me after a crash' });
			await waitFor(() => receiver.deliveries.length === 1, 10_000, 'the first (refused) attempt');
			expect(await gateway.kill()).toBe('SIGKILL');
			gateway = await spawnGateway(env);
			await waitFor(() => receiver.deliveries.length === 2, 30_000, 'the retry from the restarted gateway');
			const [first, second] = receiver.deliveries;
			expect(second.body.id).toBe(first.body.id);
			expect(second.body.data).toMatchObject({ body: 'retry me after a crash' });
			expectSigned(second);
		} finally {
			await gateway.stop();
			await receiver.stop();
		}
	}, 60_000); // two gateway processes start, and its waits allow 40 s: more than jest's default 5 s on a loaded machine

	it('has at most WEBHOOK_MAX_CONCURRENT deliveries open; the rest wait and all arrive', async () => {
		const held: Array<() => void> = [];
		let open = 0;
		let mostOpen = 0;
		const bodies: string[] = [];
		const slow = createServer((request, response) => {
			open++;
			mostOpen = Math.max(mostOpen, open);
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () =>
				held.push(() => {
					bodies.push(JSON.parse(Buffer.concat(chunks).toString()).data.body);
					open--;
					response.writeHead(200).end();
				}),
			);
		});
		await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', () => resolve()));
		const gw = await startGateway({ redisUrl: redis.url, webhookMaxConcurrent: 2 });
		try {
			await gw.call('POST', '/webhooks', { url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/hook`, events: ['message'] });
			for (let i = 0; i < 6; i++) await gw.call('POST', '/sandbox/inbound', { from: '4915123456789', body: `m${i}` });
			while (bodies.length < 6) {
				await waitFor(() => held.length > 0, 5_000, 'a held delivery');
				expect(open).toBeLessThanOrEqual(2);
				held.shift()!();
			}
			expect(mostOpen).toBe(2);
			expect(bodies.sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
		} finally {
			await gw.stop();
			slow.closeAllConnections();
			await new Promise((resolve) => slow.close(resolve));
		}
	});
});
