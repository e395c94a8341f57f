/**
 * The nodes' Redis store on a real Redis Cluster (three nodes started by the test): every script runs through ioredis
 * Cluster, which refuses a script whose keys are not in one slot (CROSSSLOT). The ledger and contact links run their
 * whole tables on the Cluster too (test/segment/redisLedger.test.ts, test/identity/contactLinks.test.ts).
 */
import { quotaKey } from '../../contract/quota';
import { RedisStore } from '../../nodes/whatsapp/store/redis';
import { isWhatsAppError } from '../../contract/errors';
import { clusterConnection, startRedisCluster, type TestRedisCluster } from '../harness/redisCluster';

let cluster: TestRedisCluster;
let store: RedisStore;
beforeAll(async () => {
	cluster = await startRedisCluster();
	store = await RedisStore.connect(clusterConnection(cluster));
});
afterAll(async () => {
	await store?.close();
	await cluster?.stop();
});

const connect = (keyPrefix: string, database: number) => RedisStore.connect({ ...clusterConnection(cluster), keyPrefix, database });

test('refuses a Key Prefix without a hash tag, and a database other than 0, naming the field and the fix', async () => {
	for (const [prefix, database, field] of [
		['wa:', 0, 'keyPrefix'],
		['{}:', 0, 'keyPrefix'],
		['{wa}:', 2, 'database'],
	] as const) {
		const refused = await connect(prefix, database).catch((error: unknown) => error);
		expect(isWhatsAppError(refused) && refused.toJSON()).toMatchObject({
			kind: 'validation',
			field,
			fix: expect.stringMatching(/credential/),
		});
	}
});

test('reserves and releases the daily quota up to the limit', async () => {
	const key = quotaKey('106540352242922', new Date());
	expect(await store.reserveQuota(key, 3, 60, 2)).toEqual({ granted: true, used: 2 });
	expect(await store.reserveQuota(key, 3, 60, 2)).toEqual({ granted: false, used: 2 });
	await store.releaseQuota(key, 1);
	expect(await store.reserveQuota(key, 3, 60, 2)).toEqual({ granted: true, used: 3 });
});

test('claims, confirms and releases webhook deliveries over several keys', async () => {
	const keys = ['wa_automator:seen:a', 'wa_automator:seen:b'];
	expect(await store.claimDelivery(keys, 'one', 60)).toEqual(['new', 'new']);
	expect(await store.claimDelivery(keys, 'two', 60)).toBe('busy');
	await store.confirmDelivery(
		keys.map((key) => ({ key, ttlSeconds: 60 })),
		'one',
	);
	expect(await store.claimDelivery([...keys, 'wa_automator:seen:c'], 'two', 60)).toEqual(['seen', 'seen', 'new']);
	await store.releaseDelivery(['wa_automator:seen:c'], 'two');
	expect(await store.claimDelivery(['wa_automator:seen:c'], 'three', 60)).toEqual(['new']);
});

test('keeps an opt-out list and its order', async () => {
	const list = { backend: 'cloud', senderId: '106540352242922' } as const;
	const entry = { at: '2026-05-01T00:00:00.000Z', source: 'keyword', keyword: 'STOP' } as const;
	expect(await store.optOuts.add(list, [{ phone: '4915100000001', entry }])).toEqual([undefined]);
	expect(await store.optOuts.add(list, [{ phone: '4915100000001', entry }])).toEqual([entry]);
	expect(await store.optOuts.lookup(list, ['4915100000001', '4915100000002'])).toEqual([entry, undefined]);
	expect(await store.optOuts.remove(list, ['4915100000001'])).toEqual([entry]);
	expect(await store.optOuts.lookup(list, ['4915100000001'])).toEqual([undefined]);
});

test('opens a question, claims it once for its answer, and hands the answer over once', async () => {
	const question = {
		id: 'q-1',
		backend: 'cloud' as const,
		senderId: '106540352242922',
		contactKeys: ['4915100000001', 'DE.123'],
		choices: [{ id: 'yes', text: 'Yes' }],
		freeText: false,
		resumeUrl: 'https://n8n.example/webhook-waiting/1',
		askedAt: Date.now(),
	};
	const answer = { choice: question.choices[0], text: 'Yes', replyMessageId: 'wamid.R', answeredAt: new Date().toISOString() };
	await store.questions.open(question, 60);
	expect(await store.questions.newestFor('cloud', question.senderId, ['DE.123'])).toEqual(['q-1']);
	expect(await store.questions.claim(question, answer)).toEqual({ outcome: 'claimed' });
	expect(await store.questions.claim(question, answer)).toEqual({ outcome: 'again', questionId: 'q-1' });
	await store.questions.setMessageId('q-1', 'wamid.Q');
	expect((await store.questions.take('q-1'))?.answer).toEqual(answer);
	expect(await store.questions.take('q-1')).toBeUndefined();
});

test('advances a delivery report and indexes the latest message to a person', async () => {
	const createFor = { senderId: '106540352242922', recipient: '4915100000001' };
	expect(await store.reports.update('cloud', 'wamid.M', { state: 'delivered', at: '2026-05-01T00:00:01.000Z' }, createFor)).toBe(true);
	expect(await store.reports.update('cloud', 'wamid.M', { state: 'sent', at: '2026-05-01T00:00:02.000Z' })).toBe(false);
	expect(await store.reports.latestMessage('cloud', createFor.senderId, createFor.recipient)).toBe('wamid.M');
	expect((await store.reports.messages('cloud', ['wamid.M']))[0]).toMatchObject({ state: 'delivered', recipient: '4915100000001' });
});
