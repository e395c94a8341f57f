import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';
import { API_KEY, startGateway, type TestGateway } from '../../lite/test/helpers/gateway';
import { waitFor } from '../../lite/test/helpers/wait';
import { parseRelayApps } from '../../lite/src/relay/settings';
import { liteSignatureHeader } from '../../contract/signatures';
import { relaySubscriberSecret } from '../../nodes/whatsapp/inbound/relay';
import { closeProcessStateStores } from '../../nodes/whatsapp/n8n/store';
import { metaUserIdUpdateBody, postSignedMetaWebhook } from '../fakes/metaWebhook';
import { startRedis, type TestRedis } from '../harness/redis';
import type { TriggerUnderTest } from '../harness/webhook';
import { APP_SECRET, metaBody, metaHeaders, metaMessage, metaStatus, PHONE_NUMBER_ID, startCloudTrigger, VERIFY_TOKEN } from './fixtures';

// Cloud triggers receiving "Through the relay": the real gateway takes the Meta app's deliveries and passes each
// trigger what it registered for on activation.

const SECOND_NUMBER_ID = '106540352242999';
const relayApps = parseRelayApps(JSON.stringify({ shop: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } }));

let redis: TestRedis;
let gateway: TestGateway;
let relayCredential: ICredentialDataDecryptedObject;
const triggers: TriggerUnderTest[] = [];

beforeAll(async () => {
	redis = await startRedis();
	gateway = await startGateway({ redisUrl: redis.url, relayApps });
	relayCredential = { url: gateway.url, apiKey: API_KEY, app: 'shop' };
});
afterAll(async () => {
	for (const trigger of triggers) await trigger.close();
	await gateway.stop();
	await closeProcessStateStores();
	await redis.stop();
});

async function relayTrigger(parameters: INodeParameters): Promise<TriggerUnderTest> {
	const trigger = await startCloudTrigger({ reception: 'relay', ...parameters }, { whatsAppRelayApi: relayCredential });
	triggers.push(trigger);
	return trigger;
}

const asMeta = async (body: unknown) => expect(await postSignedMetaWebhook(`${gateway.url}/meta/shop`, body, APP_SECRET)).toBe(200);
const subscribers = async () => (await gateway.call('GET', '/relay/subscribers')).body.subscribers as Array<{ url: string }>;
const startedIds = (trigger: TriggerUnderTest) => trigger.started.flat().map((item) => `${item.json.event}:${item.json.messageId}`);

describe('a Cloud trigger through the relay', () => {
	let everything: TriggerUnderTest;
	let statuses: TriggerUnderTest;
	let second: TriggerUnderTest;
	let direct: TriggerUnderTest;

	beforeAll(async () => {
		everything = await relayTrigger({ events: ['message'] });
		statuses = await relayTrigger({ events: ['status'] });
		second = await relayTrigger({ events: ['message'], filters: { businessNumbers: SECOND_NUMBER_ID } });
		for (const trigger of [everything, statuses, second]) expect(await trigger.activate()).toEqual({ existed: false });
		// The same events straight from Meta, for the items' shape.
		direct = await startCloudTrigger({ events: ['message', 'status'] });
		triggers.push(direct);
	});

	it('registers its URL, filter and derived secret on activation; activating again is idempotent', async () => {
		expect((await subscribers()).map((subscriber) => subscriber.url).sort()).toEqual([everything.url, statuses.url, second.url].sort());
		const listed = (await gateway.call('GET', '/relay/subscribers')).body.subscribers;
		expect(listed.find((subscriber: { url: string }) => subscriber.url === second.url)).toMatchObject({
			app: 'shop',
			// Statuses and messages update campaign reports; changed numbers (identity) and template statuses are always recorded.
			events: ['identity', 'message', 'status', 'template'],
			phoneNumberIds: [SECOND_NUMBER_ID],
		});
		expect(await second.activate()).toEqual({ existed: false });
		expect(await subscribers()).toHaveLength(3);
	});

	it('each trigger starts exactly its events, with the items a trigger gets from Meta, once', async () => {
		const first = metaMessage('text', { text: { body: 'to the first number' } });
		const status = metaStatus('delivered');
		const toSecond = metaMessage('text', { text: { body: 'to the second number' } });
		const bodies = [metaBody({ messages: [first], statuses: [status] }), metaBody({ messages: [toSecond] }, SECOND_NUMBER_ID)];
		for (const body of bodies) await asMeta(body);
		await waitFor(
			() => startedIds(everything).length === 2 && startedIds(statuses).length === 1 && startedIds(second).length === 1,
			10_000,
			'the executions',
		);
		expect(startedIds(everything)).toEqual([`message:${first.id}`, `message:${toSecond.id}`]);
		expect(startedIds(statuses)).toEqual([`status:${status.id}`]);
		expect(startedIds(second)).toEqual([`message:${toSecond.id}`]);

		for (const body of bodies) expect((await direct.post(JSON.stringify(body), metaHeaders(JSON.stringify(body)))).status).toBe(200);
		const directItems = direct.started.flat().map((item) => item.json);
		expect(everything.started.flat().map((item) => item.json)).toEqual(directItems.filter((item) => item.event === 'message'));
		expect(statuses.started.flat().map((item) => item.json)).toEqual(directItems.filter((item) => item.event === 'status'));

		// Meta delivers the first body again: the relay records nothing new, and nothing starts.
		await asMeta(bodies[0]);
		const later = metaMessage('text', { text: { body: 'later' } });
		await asMeta(metaBody({ messages: [later] }));
		await waitFor(() => startedIds(everything).length === 3, 10_000, 'the later message');
		expect(startedIds(everything)).toEqual([`message:${first.id}`, `message:${toSecond.id}`, `message:${later.id}`]);
		expect(startedIds(statuses)).toHaveLength(1);
	});

	it('refuses a delivery not signed with its own secret, and answers no handshake (Meta’s goes to the relay)', async () => {
		const body = JSON.stringify(metaBody({ messages: [metaMessage('text', { text: { body: 'forged' } })] }));
		const now = Math.floor(Date.now() / 1000);
		const forged = await everything.post(body, {
			'x-relay-signature': liteSignatureHeader(relaySubscriberSecret(API_KEY, second.url), body, now),
		});
		expect(forged.status).toBe(401);
		expect(forged.items).toBeUndefined();
		const genuine = await everything.post(body, {
			'x-relay-signature': liteSignatureHeader(relaySubscriberSecret(API_KEY, everything.url), body, now),
		});
		expect(genuine.status).toBe(200);
		expect((await everything.get({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1' })).status).toBe(405);
	});

	it("passes a changed number's new BSUID (user_id_update) to a trigger on Contact ID Changed, and to no message trigger", async () => {
		const changes = await relayTrigger({ events: ['identity'] });
		expect(await changes.activate()).toEqual({ existed: false });
		const update = { phone: '4915123456799', previousUserId: 'DE.1349120865530274', userId: 'DE.2481120865530274' };
		await asMeta(metaUserIdUpdateBody(PHONE_NUMBER_ID, update));
		await waitFor(() => changes.started.flat().length === 1, 10_000, 'the identity event');
		expect(changes.started.flat()[0].json).toMatchObject({
			event: 'identity',
			from: update.phone,
			userId: update.userId,
			identity: { update: 'userId', previousUserId: update.previousUserId, userId: update.userId },
		});
		expect(everything.started.flat().map((item) => item.json.event)).not.toContain('identity');
		expect(await changes.deactivate()).toBe(true);
	});

	it('deactivation unregisters: its deliveries stop, the others go on', async () => {
		expect(await statuses.deactivate()).toBe(true);
		expect((await subscribers()).map((subscriber) => subscriber.url)).not.toContain(statuses.url);
		const before = startedIds(statuses).length;
		const message = metaMessage('text', { text: { body: 'after' } });
		await asMeta(metaBody({ messages: [message], statuses: [metaStatus('read')] }));
		await waitFor(() => startedIds(everything).includes(`message:${message.id}`), 10_000, 'the message after');
		expect(startedIds(statuses)).toHaveLength(before);
		expect(await statuses.deactivate()).toBe(true);
	});
});

test('activation fails with the field named when the relay refuses the URL', async () => {
	const strict = await startGateway({ redisUrl: redis.url, relayApps, webhookAllowedHosts: ['n8n.example.com'] });
	try {
		const trigger = await startCloudTrigger(
			{ reception: 'relay', events: ['message'] },
			{ whatsAppRelayApi: { ...relayCredential, url: strict.url } },
		);
		triggers.push(trigger);
		await expect(trigger.activate()).rejects.toThrow(/url is refused/);
	} finally {
		await strict.stop();
	}
});
