/**
 * The gateway honours the opt-out list the nodes keep in the shared Redis (docs/opt-outs.md): the nodes' own
 * store writes the list, the gateway refuses those receivers at the hand-off and skips one who opts out while
 * queued. Real gateway (sandbox driver), real redis-server.
 */
import { RedisStore } from '../../nodes/whatsapp/store/redis';
import { startRedis, type TestRedis } from '../../test/harness/redis';
import { startGateway, SUIT, type TestGateway } from './helpers/gateway';
import { startReceiver } from './helpers/receiver';
import { waitFor } from './helpers/wait';

let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(() => redis.stop());

const [ADA, BEN, CAL] = ['4915123400011', '4915123400012', '4915123400013'];

/** The nodes' store on the gateway's Redis and key prefix, as n8n with the WhatsApp Redis credential has it. */
async function nodesStore(gw: TestGateway): Promise<RedisStore> {
	const { hostname, port } = new URL(redis.url);
	return await RedisStore.connect({ host: hostname, port: Number(port), keyPrefix: gw.config.keyPrefix });
}

const optOut = (store: RedisStore, phone: string, keyword: string) =>
	store.optOuts.add({ backend: 'lite', senderId: SUIT }, [
		{ phone, entry: { at: '2026-05-01T09:30:00.000Z', source: 'keyword', keyword } },
	]);

const bulk = (gw: TestGateway, receivers: string[]) =>
	gw.call('POST', `/${SUIT}/send`, {
		UOWHATSAPP: { message: 'Spring sale', receivers: receivers.map((mobileNum) => ({ mobileNum })) },
		campaign_id: 'spring',
		campaign_name: 'Spring',
	});

describe('opt-outs in bulk campaigns', () => {
	let gw: TestGateway;
	let store: RedisStore;
	beforeEach(async () => {
		gw = await startGateway({ redisUrl: redis.url, delayUnitMs: 5 });
		store = await nodesStore(gw);
	});
	afterEach(async () => {
		await store.close();
		await gw.stop();
	});

	it("refuses a receiver on the suit's list in `skipped` with the date and keyword, and sends to the rest", async () => {
		const receiver = await startReceiver();
		try {
			await gw.call('POST', '/webhooks', { url: receiver.url, events: ['campaign'] });
			await optOut(store, BEN, 'إلغاء');
			const answer = await bulk(gw, [ADA, `+${BEN}`, CAL]);
			expect(answer.status).toBe(202);
			expect(answer.body).toMatchObject({ queued: 2, skipped: [{ mobileNum: `+${BEN}`, reason: 'opted out on 2026-05-01 ("إلغاء")' }] });
			const events = await waitFor(
				() => receiver.events('campaign').some((event) => event.data.status === 'finished') && receiver.events('campaign'),
				5_000,
				'the finished campaign',
			);
			expect(gw.sandbox.sent.map((message) => message.chatId)).toEqual([`${ADA}@c.us`, `${CAL}@c.us`]);
			expect(events.find((event) => event.data.status === 'skipped')?.data).toMatchObject({ reason: 'opted out on 2026-05-01 ("إلغاء")' });
		} finally {
			await receiver.stop();
		}
	});

	it("another suit's list and a Cloud number's list do not count", async () => {
		await store.optOuts.add({ backend: 'lite', senderId: 'other-suit' }, [
			{ phone: ADA, entry: { at: '2026-05-01T09:30:00.000Z', source: 'manual' } },
		]);
		await store.optOuts.add({ backend: 'cloud', senderId: SUIT }, [
			{ phone: ADA, entry: { at: '2026-05-01T09:30:00.000Z', source: 'manual' } },
		]);
		expect((await bulk(gw, [ADA])).body).toMatchObject({ queued: 1, skipped: [] });
	});

	it('skips a queued receiver who opts out before their turn, and sends to one who opted in again', async () => {
		// The session is not ready yet: everything stays queued until the sandbox "scans" its QR.
		const waiting = await startGateway({ redisUrl: redis.url, delayUnitMs: 5, sandboxLoginDelayMs: -1 });
		const waitingStore = await nodesStore(waiting);
		try {
			await optOut(waitingStore, CAL, 'STOP');
			expect((await bulk(waiting, [ADA, BEN, CAL])).body).toMatchObject({ queued: 2, skipped: [{ mobileNum: CAL }] });
			await optOut(waitingStore, BEN, 'Stop');
			await waitingStore.optOuts.remove({ backend: 'lite', senderId: SUIT }, [CAL]);
			expect((await bulk(waiting, [CAL])).body).toMatchObject({ queued: 1, skipped: [] });
			await waiting.call('POST', '/sandbox/scan');
			const view = await waitFor(
				async () => {
					const answer = await waiting.call('GET', `/${SUIT}/campaigns/spring`);
					return answer.body.state === 'finished' && answer.body;
				},
				5_000,
				'the finished campaign',
			);
			const states = Object.fromEntries(view.recipients.items.map((item: { recipient: string }) => [item.recipient, item]));
			expect(states[BEN]).toMatchObject({ state: 'skipped', reason: 'opted out on 2026-05-01 ("Stop")' });
			expect(states[CAL]).toMatchObject({ state: 'sent' });
			expect(view.counts).toMatchObject({ queued: 0, skipped: 1, sent: 2 });
			expect(waiting.sandbox.sent.map((message) => message.chatId)).toEqual([`${ADA}@c.us`, `${CAL}@c.us`]);
		} finally {
			await waitingStore.close();
			await waiting.stop();
		}
	});
});

it("refuses a single send to someone on the suit's list with 422 OPTED_OUT, sending nothing and charging no quota", async () => {
	const gw = await startGateway({ redisUrl: redis.url });
	const store = await nodesStore(gw);
	try {
		await optOut(store, BEN, 'STOP');
		const refused = await gw.call('POST', '/api/send-message', { number: `+${BEN}`, message: 'Hi' });
		expect(refused.status).toBe(422);
		expect(refused.body.error).toMatchObject({
			code: 'OPTED_OUT',
			reason: 'opted out on 2026-05-01 ("STOP")',
			message: `${BEN} opted out on 2026-05-01 ("STOP"): nothing was sent`,
		});
		expect((await gw.call('POST', '/api/send-message', { number: ADA, message: 'Hi' })).status).toBe(200);
		expect(gw.sandbox.sent.map((sent) => sent.chatId)).toEqual([`${ADA}@c.us`]);
		expect((await gw.call('GET', '/metrics')).text).toContain(`whatsapp_lite_quota_used{suit="${SUIT}"} 1`);
	} finally {
		await store.close();
		await gw.stop();
	}
});
