import Redis from 'ioredis';
import { closeProcessStateStores } from '../../nodes/whatsapp/n8n/store';
import { freePort, startRedis, type TestRedis } from '../harness/redis';
import type { TriggerUnderTest } from '../harness/webhook';
import {
	APP_SECRET,
	LITE_SECRET,
	liteCredentials,
	liteEvent,
	liteHeaders,
	liteMessage,
	metaBody,
	metaHeaders,
	metaMessage,
	redisCredentialFor,
	startCloudTrigger,
	startLiteTrigger,
	VERIFY_TOKEN,
} from '../trigger/fixtures';

/**
 * Issue 10, trigger probes: nothing an unauthenticated sender does reaches the store, the store is one
 * connection per process, the handshake needs no store, replays and other suits' events start nothing.
 * Connections are counted with CLIENT LIST on a private redis-server.
 */
let redis: TestRedis;
let admin: Redis;
beforeAll(async () => {
	redis = await startRedis(await freePort());
	admin = new Redis(redis.url, { connectionName: 'probe-admin' });
});
afterAll(async () => {
	await closeProcessStateStores();
	admin.disconnect();
	await redis.stop();
});
afterEach(async () => await closeProcessStateStores());

/** Connections open to the Redis now, other than this test's own (CLIENT LIST). */
async function openConnections(): Promise<number> {
	const list = (await admin.client('LIST')) as string;
	return list.split('\n').filter((line) => line.trim() && !line.includes('name=probe-admin')).length;
}

/** Connections the Redis accepted so far, whether still open or not (INFO stats). */
async function acceptedConnections(): Promise<number> {
	return Number(/total_connections_received:(\d+)/.exec(await admin.info('stats'))?.[1]);
}

async function withTrigger(start: () => Promise<TriggerUnderTest>, run: (trigger: TriggerUnderTest) => Promise<void>) {
	const trigger = await start();
	try {
		await run(trigger);
	} finally {
		await trigger.close();
	}
}

const signedMeta = (raw: string) => metaHeaders(raw);
const cloudText = (body: string) => JSON.stringify(metaBody({ messages: [metaMessage('text', { text: { body } })] }));

describe('trigger probes', () => {
	it('50 forged Cloud POSTs: 401 each, 0 Redis connections opened, nothing stored or started', async () => {
		await withTrigger(
			() => startCloudTrigger({}, redisCredentialFor(redis.url)),
			async (trigger) => {
				const [keysBefore, connectionsBefore] = [await admin.dbsize(), await acceptedConnections()];
				for (let index = 0; index < 50; index++) {
					const raw = cloudText(`forged ${index}`);
					const headers = index % 2 ? metaHeaders(raw, 'guessed-secret') : {};
					expect((await trigger.post(raw, headers)).status).toBe(401);
				}
				expect(await acceptedConnections()).toBe(connectionsBefore);
				expect(await admin.dbsize()).toBe(keysBefore);
				expect(trigger.started).toEqual([]);
			},
		);
	});

	it('50 validly signed Lite events of another suit: 403 each, 0 connections, nothing stored or started', async () => {
		await withTrigger(
			() => startLiteTrigger({}, { whatsAppLiteApi: liteCredentials({ suitId: 'suit-1' }), ...redisCredentialFor(redis.url) }),
			async (trigger) => {
				const [keysBefore, connectionsBefore] = [await admin.dbsize(), await acceptedConnections()];
				for (let index = 0; index < 50; index++) {
					const raw = JSON.stringify({ ...liteEvent('message', liteMessage()), suitId: 'suit-of-someone-else' });
					const call = await trigger.post(raw, liteHeaders(raw));
					expect(call.status).toBe(403);
					expect(JSON.parse(call.body).error).toBe(
						'suitId "suit-of-someone-else" is not the credential\'s suit "suit-1": this trigger takes only its own suit\'s events',
					);
				}
				expect(await acceptedConnections()).toBe(connectionsBefore);
				expect(await admin.dbsize()).toBe(keysBefore);
				expect(trigger.started).toEqual([]);
			},
		);
	});

	it('50 valid deliveries share one Redis connection; each starts once', async () => {
		await withTrigger(
			() => startCloudTrigger({}, redisCredentialFor(redis.url)),
			async (trigger) => {
				const connectionsBefore = await acceptedConnections();
				const answers = await Promise.all(
					Array.from({ length: 50 }, async (_unused, index) => {
						const raw = cloudText(`valid ${index}`);
						return (await trigger.post(raw, signedMeta(raw))).status;
					}),
				);
				expect(answers).toEqual(Array(50).fill(200));
				expect(trigger.started).toHaveLength(50);
				expect(await acceptedConnections()).toBe(connectionsBefore + 1);
				expect(await openConnections()).toBe(1);
			},
		);
	});

	it('the GET handshake answers while the Redis of the credential is unreachable', async () => {
		const deadRedis = `redis://127.0.0.1:${await freePort()}`;
		await withTrigger(
			() => startCloudTrigger({}, redisCredentialFor(deadRedis)),
			async (trigger) => {
				expect(await trigger.get({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '4242' })).toMatchObject({
					status: 200,
					body: '4242',
				});
				const raw = cloudText('needs the store');
				expect(await trigger.post(raw, signedMeta(raw))).toMatchObject({ status: 503, items: undefined });
			},
		);
	});

	it.each([
		['process memory', () => ({})],
		['Redis', () => redisCredentialFor(redis.url)],
	])('a replayed Lite request starts nothing even with de-duplication off (%s)', async (_store, credentials) => {
		await withTrigger(
			() => startLiteTrigger({ triggerOptions: { dedupeWindowMinutes: 0 } }, { whatsAppLiteApi: liteCredentials(), ...credentials() }),
			async (trigger) => {
				const raw = JSON.stringify(liteEvent('message', liteMessage({ body: 'pay me twice' })));
				const headers = liteHeaders(raw, Math.floor(Date.now() / 1000) - 60, LITE_SECRET);
				expect(await trigger.post(raw, headers)).toMatchObject({ status: 200, body: '{"received":1}' });
				expect(await trigger.post(raw, headers)).toMatchObject({ status: 200, body: '{"received":0}', items: undefined });
				// Junk before the real v1 does not make the same signed request new.
				const padded = { 'x-lite-signature': headers['x-lite-signature'].replace(',v1=', ',v1=00,v1=') };
				expect(await trigger.post(raw, padded)).toMatchObject({ status: 200, body: '{"received":0}', items: undefined });
				// A redelivery the gateway signs anew is the same event again: with the window off it starts again, by choice.
				expect((await trigger.post(raw, liteHeaders(raw))).items).toHaveLength(1);
				expect(trigger.started).toHaveLength(2);
			},
		);
	});

	it('Redis stopped mid-way: 503 and nothing started; started again: the redelivery starts every event once, on a new connection', async () => {
		await withTrigger(
			() => startCloudTrigger({}, redisCredentialFor(redis.url)),
			async (trigger) => {
				const first = cloudText('before the outage');
				expect((await trigger.post(first, signedMeta(first))).status).toBe(200);
				const port = Number(new URL(redis.url).port);
				admin.disconnect();
				await redis.stop();

				const body = JSON.stringify(
					metaBody({ messages: [metaMessage('text', { text: { body: 'one' } }), metaMessage('text', { text: { body: 'two' } })] }),
				);
				expect(await trigger.post(body, signedMeta(body))).toMatchObject({ status: 503, items: undefined });

				redis = await startRedis(port);
				admin = new Redis(redis.url, { connectionName: 'probe-admin' });
				const redelivered = await trigger.post(body, signedMeta(body));
				expect(redelivered).toMatchObject({ status: 200, body: '{"received":2}' });
				expect(trigger.started.flat().map((item) => item.json.text)).toEqual(['before the outage', 'one', 'two']);
				expect(await openConnections()).toBe(1);
			},
		);
	});

	it('secrets never appear in any answer', async () => {
		await withTrigger(
			() => startCloudTrigger({}, redisCredentialFor(redis.url)),
			async (trigger) => {
				const raw = cloudText('secret?');
				const answers = [
					await trigger.post(raw, {}),
					await trigger.post('{', signedMeta('{')),
					await trigger.get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'x', 'hub.challenge': '1' }),
				];
				for (const answer of answers) expect(answer.body).not.toMatch(new RegExp(`${APP_SECRET}|${VERIFY_TOKEN}`));
			},
		);
	});
});
