import { metaSignatureHeader } from '../../contract/signatures';
import { normaliseCloud } from '../../nodes/whatsapp/inbound/normaliseCloud';
import { metaWebhookBody } from '../../test/fakes/metaWebhook';
import { startRedis, uniquePrefix, type TestRedis } from '../../test/harness/redis';
import { stateDir } from './helpers/gateway';
import { spawnGateway, type GatewayProcess } from './helpers/process';
import { startReceiver, type WebhookReceiver } from './helpers/receiver';
import { waitFor } from './helpers/wait';

// kill -9 at the relay's fault points (lite/src/faults.ts), counted exactly: Meta sends each event until it gets a
// 2xx (as Meta does), and each subscriber's receiver counts what reached it.

const APP_SECRET = 'meta-app-secret-for-crashes';
const RELAY_APPS = JSON.stringify({ shop: { appSecret: APP_SECRET, verifyToken: 'token' } });
const EVENTS = 10;

// Each test starts the gateway process three times from its TypeScript sources.
jest.setTimeout(300_000);

let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(() => redis.stop());

/** Event i: a message, and for odd i a status too. */
function metaDelivery(i: number) {
	const value = {
		messages: [{ from: '4915123456789', id: `wamid.crash${i}`, timestamp: '1760000000', type: 'text', text: { body: `event ${i}` } }],
		...(i % 2 === 1 && { statuses: [{ id: `wamid.out${i}`, status: 'read', timestamp: '1760000000', recipient_id: '4915123456789' }] }),
	};
	return JSON.stringify(metaWebhookBody(value, '111'));
}

/** The events' keys a receiver got, one per delivery and event, sorted. */
const received = (receiver: WebhookReceiver) =>
	receiver.deliveries.flatMap((delivery) => normaliseCloud(delivery.body).map((event) => `${event.event}:${event.messageId}`)).sort();

/**
 * Meta's side: each event until a 2xx, restarting the gateway (without the fault) when it died. The next event is
 * sent once the receivers have this one, so no delivery is in flight when the fault point is reached: the counts
 * are then exact (a kill while a delivery is in flight sends that one again: the at-least-once case below).
 */
async function sendAllAsMeta(
	start: (fault?: string) => Promise<GatewayProcess>,
	fault: string,
	arrived: (i: number) => boolean,
): Promise<{ restarts: number; gateway: GatewayProcess }> {
	let gateway = await start(fault);
	let restarts = 0;
	for (let i = 0; i < EVENTS; i++) {
		for (;;) {
			const raw = metaDelivery(i);
			const status = await fetch(`${gateway.url}/meta/shop`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': metaSignatureHeader(APP_SECRET, raw) },
				body: raw,
			}).then(
				(response) => response.status,
				() => 0,
			);
			if (status === 200) {
				await waitFor(() => arrived(i), 20_000, `event ${i} at the subscribers`);
				break;
			}
			expect(await gateway.exited).toBe('SIGKILL');
			gateway = await start();
			restarts++;
		}
	}
	return { restarts, gateway };
}

describe('kill -9 in the relay', () => {
	let receivers: WebhookReceiver[] = [];
	afterEach(async () => {
		for (const receiver of receivers) await receiver.stop();
		receivers = [];
	});

	async function setUp(subscribers: Array<{ events: string[] }>) {
		const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix(), STATE_DIR: stateDir(), RELAY_APPS, WEBHOOK_RETRY_BASE_MS: '20' };
		const start = (fault?: string) => spawnGateway({ ...env, ...(fault && { LITE_FAULT: fault }) });
		const first = await start();
		for (const [index, wants] of subscribers.entries()) {
			const receiver = await startReceiver();
			receivers.push(receiver);
			const answer = await first.call('POST', '/relay/subscribers', {
				url: receiver.url,
				secret: `crash-test-secret-${index}`.padEnd(40, '-'),
				...wants,
			});
			expect(answer.status).toBe(201);
		}
		await first.stop();
		return start;
	}

	it('after the delivery is recorded and before Meta is answered: every event reaches each subscriber exactly once', async () => {
		const start = await setUp([{ events: ['message', 'status'] }, { events: ['status'] }]);
		const has = (k: number, key: string) => received(receivers[k]).includes(key);
		const { restarts, gateway } = await sendAllAsMeta(
			start,
			'relay-recorded:4',
			(i) => has(0, `message:wamid.crash${i}`) && (i % 2 === 0 || has(1, `status:wamid.out${i}`)),
		);
		try {
			expect(restarts).toBe(1);
			const all = Array.from({ length: EVENTS }, (_, i) => [`message:wamid.crash${i}`, ...(i % 2 ? [`status:wamid.out${i}`] : [])]).flat();
			const statuses = all.filter((key) => key.startsWith('status'));
			await waitFor(
				() => received(receivers[0]).length >= all.length && received(receivers[1]).length >= statuses.length,
				20_000,
				'every delivery',
			);
			// Settled: the outbox is empty, so nothing more is coming.
			await waitFor(async () =>
				(await gateway.call('GET', '/relay/subscribers')).body.subscribers.every((s: { backlog: number }) => s.backlog === 0),
			);
			expect(received(receivers[0])).toEqual(all.sort());
			expect(received(receivers[1])).toEqual(statuses.sort());
		} finally {
			await gateway.stop();
		}
	});

	it('after a subscriber answered 2xx and before the outbox knows: that delivery, and only it, comes again', async () => {
		const start = await setUp([{ events: ['message'] }]);
		const { restarts, gateway } = await sendAllAsMeta(start, 'relay-delivered:3', (i) =>
			received(receivers[0]).includes(`message:wamid.crash${i}`),
		);
		try {
			// The kill happened in the background, perhaps after Meta's answer: wait for it, then restart.
			const all = Array.from({ length: EVENTS }, (_, i) => `message:wamid.crash${i}`);
			let live = gateway;
			if (restarts === 0) {
				expect(await gateway.exited).toBe('SIGKILL');
				live = await start();
			}
			await waitFor(() => received(receivers[0]).length >= all.length + 1, 20_000, 'every delivery');
			await waitFor(async () => (await live.call('GET', '/relay/subscribers')).body.subscribers[0].backlog === 0);
			// The third delivery was answered 2xx, the gateway killed before it recorded that: it came again.
			expect(received(receivers[0])).toEqual([...all, all[2]].sort());
			await live.stop();
		} finally {
			await gateway.stop();
		}
	});
});
