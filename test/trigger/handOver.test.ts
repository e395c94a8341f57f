import Redis from 'ioredis';
import type { TriggerUnderTest } from '../harness/webhook';
import { createDeferredPromise } from 'n8n-workflow';
import { sendJson, startServer } from '../fakes/httpServer';
import {
	cloudCredentials,
	metaBody,
	metaHeaders,
	metaMessage,
	PHONE_NUMBER_ID,
	redisCredentialFor,
	startCloudTrigger,
	useTestRedis,
} from './fixtures';

const redis = useTestRedis();
async function until(condition: () => boolean) {
	for (let waited = 0; !condition(); waited += 20) {
		if (waited > 20_000) throw new Error('condition not met within 20 s');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

const text = (body: string) => metaMessage('text', { text: { body } });

async function deliver(trigger: TriggerUnderTest, body: object) {
	const raw = JSON.stringify(body);
	return await trigger.post(raw, metaHeaders(raw));
}

/** Delivers `body` until answered 2xx, as Meta does; returns every answer's status. */
async function deliverUntilAccepted(trigger: TriggerUnderTest, body: object): Promise<number[]> {
	const statuses: number[] = [];
	for (let attempt = 0; attempt < 10 && !statuses.some((status) => status < 300); attempt++)
		statuses.push((await deliver(trigger, body)).status);
	return statuses;
}

const startedTexts = (trigger: TriggerUnderTest) => trigger.started.flat().map((item) => item.json.text);

/** A Graph API whose media lookup answers (a refusal) only once `released` resolves: it holds a hand-over. */
async function heldMediaLookup() {
	const lookupArrived = createDeferredPromise<void>();
	const released = createDeferredPromise<void>();
	const graph = await startServer(async (_request, response) => {
		lookupArrived.resolve();
		await released.promise;
		sendJson(response, 400, { error: { message: 'media lookup refused', type: 'OAuthException', code: 100 } });
	});
	return { graph, lookupArrived: lookupArrived.promise, released };
}

describe.each([
	['process memory', () => ({})],
	['Redis', () => redisCredentialFor(redis.url())],
])('hand-over to n8n, de-duplication in %s', (_store, credentials) => {
	let trigger: TriggerUnderTest;
	beforeEach(async () => {
		trigger = await startCloudTrigger({}, credentials());
	});
	afterEach(async () => await trigger.close());

	it('n8n cannot store the execution: not 2xx, and the redelivery starts the event exactly once', async () => {
		const body = metaBody({ messages: [text('first try failed'), text('same delivery')] });
		trigger.failExecutionStores(2);
		expect(await deliverUntilAccepted(trigger, body)).toEqual([500, 500, 200]);
		expect(startedTexts(trigger)).toEqual(['first try failed', 'same delivery']);
		expect(await deliver(trigger, body)).toMatchObject({ status: 200, body: '{"received":0}', items: undefined });
		expect(startedTexts(trigger)).toEqual(['first try failed', 'same delivery']);
	});

	it('a duplicate within the window is answered 200 {"received":0} once the first was handed over', async () => {
		const body = metaBody({ messages: [text('once')] });
		expect(await deliver(trigger, body)).toMatchObject({ status: 200, body: '{"received":1}' });
		expect(await deliver(trigger, body)).toMatchObject({ status: 200, body: '{"received":0}', items: undefined });
	});

	it('a Cloud error is de-duplicated by its content; another error is news', async () => {
		const error = { code: 131000, title: 'Something went wrong', message: 'Something went wrong', error_data: { details: 'Unknown' } };
		expect((await deliver(trigger, metaBody({ errors: [error] }))).items).toHaveLength(1);
		expect((await deliver(trigger, metaBody({ errors: [error] }))).items).toBeUndefined();
		expect((await deliver(trigger, metaBody({ errors: [{ ...error, code: 131026 }] }))).items).toHaveLength(1);
	});
});

describe.each([
	['process memory', () => ({})],
	['Redis', () => redisCredentialFor(redis.url())],
])('a redelivery racing the first delivery, de-duplication in %s', (_store, credentials) => {
	it('arriving while the first is still handed over: 503 (deliver again); the first starts the event; delivered again: 200, nothing more', async () => {
		// Meta's media lookup (Download Media) holds the first delivery between its claim and n8n's answer.
		const { graph, lookupArrived, released } = await heldMediaLookup();
		const trigger = await startCloudTrigger(
			{ triggerOptions: { downloadMedia: true } },
			{ whatsAppCloudApi: cloudCredentials({ baseUrl: graph.url }), ...credentials() },
		);
		try {
			const body = metaBody({ messages: [metaMessage('image', { image: { id: '4242', mime_type: 'image/jpeg' } })] });
			const first = deliver(trigger, body);
			await lookupArrived;
			const racing = await deliver(trigger, body);
			expect(racing).toMatchObject({ status: 503, items: undefined });
			expect(racing.body).toMatch(/still being handed to the workflow; deliver again later/);

			released.resolve();
			expect(await first).toMatchObject({ status: 200, body: '{"received":1}' });
			expect(await deliver(trigger, body)).toMatchObject({ status: 200, body: '{"received":0}', items: undefined });
			expect(trigger.started).toHaveLength(1);
		} finally {
			await trigger.close();
			await graph.close();
		}
	});
});

describe('claims of one delivery are all or nothing (Redis)', () => {
	let admin: Redis;
	beforeAll(() => {
		admin = new Redis(redis.url());
	});
	afterAll(async () => await admin.quit());

	it('an event still being handed over by another delivery: 503, nothing of this delivery claimed; after it is given back, all start', async () => {
		const credentials = redisCredentialFor(redis.url());
		const prefix = String(credentials.whatsAppRedis.keyPrefix);
		const trigger = await startCloudTrigger({}, credentials);
		try {
			const fresh = text('fresh');
			const inFlight = text('in flight elsewhere');
			const keyOf = (id: string) => `${prefix}wa:inbound:trigger-workflow:${trigger.node.id}:cloud:${PHONE_NUMBER_ID}:message:${id}`;
			await admin.set(keyOf(inFlight.id), 'token-of-another-delivery', 'EX', 120);

			const body = metaBody({ messages: [fresh, inFlight] });
			const busy = await deliver(trigger, body);
			expect(busy).toMatchObject({ status: 503, items: undefined });
			expect(busy.body).toMatch(/still being handed to the workflow; deliver again later/);
			expect(await admin.exists(keyOf(fresh.id))).toBe(0);

			await admin.del(keyOf(inFlight.id));
			expect(await deliver(trigger, body)).toMatchObject({ status: 200, body: '{"received":2}' });
			expect(startedTexts(trigger)).toEqual(['fresh', 'in flight elsewhere']);
			expect(await admin.get(keyOf(fresh.id))).toBe('done');
			expect(await admin.ttl(keyOf(fresh.id))).toBeGreaterThan(1440 * 60 - 60);
		} finally {
			await trigger.close();
		}
	});
});

describe('the sender gone before the answer', () => {
	it('the execution makes the claims final: a redelivery meanwhile is told to come back, after it starts nothing; the event runs once', async () => {
		// Meta's media lookup holds the hand-over (Download Media) until the sender has given up.
		const { graph, lookupArrived, released } = await heldMediaLookup();
		const trigger = await startCloudTrigger(
			{ triggerOptions: { downloadMedia: true } },
			{ whatsAppCloudApi: cloudCredentials({ baseUrl: graph.url }) },
		);
		try {
			const body = metaBody({ messages: [metaMessage('image', { image: { id: '4242', mime_type: 'image/jpeg' } })] });
			const raw = JSON.stringify(body);
			const sender = new AbortController();
			const abandoned = fetch(trigger.url, {
				method: 'POST',
				body: raw,
				headers: { 'content-type': 'application/json', ...metaHeaders(raw) },
				signal: sender.signal,
			}).catch((error: Error) => error.name);
			await lookupArrived;
			sender.abort();
			expect(await abandoned).toBe('AbortError');
			expect(await deliver(trigger, body)).toMatchObject({ status: 503 });

			released.resolve();
			await until(() => trigger.started.length === 1);
			expect(await deliver(trigger, body)).toMatchObject({ status: 200, body: '{"received":0}', items: undefined });
			expect(trigger.started).toHaveLength(1);
			expect(Object.keys(trigger.started[0][0].json)).not.toContain('$deliveryReceipt');
		} finally {
			await trigger.close();
			await graph.close();
		}
	});
});

describe('bodies that are not JSON', () => {
	let trigger: TriggerUnderTest;
	beforeAll(async () => {
		trigger = await startCloudTrigger();
	});
	afterAll(async () => await trigger.close());

	it.each([
		['cut off', '{"object":"whatsapp_business_account","entry":[', /^The body is not JSON \(.+\); a webhook delivery is a JSON object$/],
		['form-encoded', 'object=whatsapp_business_account', /^The body is not JSON \(.+\)/],
		['empty', '', /^The body is not JSON \(the body is empty\)/],
	])("%s: the trigger's own 400 with no stack or path, nothing starts", async (_name, raw, message) => {
		const call = await trigger.post(raw, metaHeaders(raw));
		expect(call).toMatchObject({ status: 400, items: undefined });
		const { error } = JSON.parse(call.body) as { error: string };
		expect(error).toMatch(message);
		expect(call.body).not.toMatch(/at |\/node_modules\/|\.js:/);
	});
});
