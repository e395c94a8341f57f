import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';
import { parseRelayApps } from '../../lite/src/relay/settings';
import { API_KEY, startGateway } from '../../lite/test/helpers/gateway';
import { waitFor } from '../../lite/test/helpers/wait';
import { type RedisConnection, RedisStore } from '../../nodes/whatsapp/store/redis';
import type { FakeTemplate } from '../fakes/graphTemplates';
import { TEMPLATES } from '../fakes/graphTemplates';
import { postSignedMetaWebhook } from '../fakes/metaWebhook';
import { PACKAGE, runWorkflow, singleNodeWorkflow } from '../harness/engine';
import { startRedis } from '../harness/redis';
import type { TriggerUnderTest } from '../harness/webhook';
import { recipients } from '../segment/run';
import { type Backends, credentialsFor, startBackends } from '../send/fixtures';
import { BUSINESS_ACCOUNT_ID, metaTemplate, NODE_TYPE } from '../templates/fixtures';
import {
	APP_SECRET,
	metaFieldBody,
	metaHeaders,
	redisCredentialFor,
	startCloudTrigger,
	useTestRedis,
	VERIFY_TOKEN,
} from '../trigger/fixtures';

/**
 * Meta pauses a template while Cloud segments send it: the WhatsApp Trigger hears `message_template_status_update`
 * (directly from Meta, or through the gateway's Cloud webhook relay) or a send gets 132015, and every running segment
 * of that template stops, its remaining recipients skipped with the reason; run again once the template is approved,
 * the campaign reaches exactly the others.
 */

const redis = useTestRedis();
let backends: Backends;
let templates: FakeTemplate[];
let redisCredential: ICredentialDataDecryptedObject;
/** Sends that arrive once Meta accepted `after` wait for `released`: the test decides what Meta knows when they are answered. */
let hold: { after: number; released: Promise<void> } | undefined;

beforeEach(async () => {
	templates = structuredClone(TEMPLATES);
	hold = undefined;
	backends = await startBackends({
		businessAccountId: BUSINESS_ACCOUNT_ID,
		templates,
		before: async (request) => {
			if (hold && request.method === 'POST' && backends.graph.accepted.length >= hold.after) await hold.released;
			return false;
		},
	});
	redisCredential = redisCredentialFor(redis.url()).whatsAppRedis;
});
afterEach(async () => await backends.close());

const WELCOME = TEMPLATES.find((template) => template.name === 'welcome_named')!.id;
const setStatus = (status: FakeTemplate['status']) => {
	templates.find((template) => template.id === WELCOME)!.status = status;
};

/** One node on the Cloud API with the shared Redis, through n8n's engine; its output items' JSON. */
async function runNode(type: string, parameters: INodeParameters, items: Array<{ json: Record<string, unknown> }>) {
	const workflow = singleNodeWorkflow(
		{
			name: 'Node',
			type,
			parameters: { backend: 'cloud', options: { initialBackoffMs: 5 }, ...parameters },
			credentials: { whatsAppCloudApi: { id: '1', name: 'Cloud' }, whatsAppRedis: { id: '3', name: 'Redis' } },
			onError: 'continueRegularOutput',
		},
		items,
	);
	const result = await runWorkflow(workflow, { ...credentialsFor(backends.graph, backends.lite), whatsAppRedis: redisCredential });
	return result.output('Node').map((item) => item.json);
}

const runTemplateSegment = (delivery: INodeParameters, items: Array<{ json: Record<string, unknown> }>) =>
	runNode(
		NODE_TYPE,
		{
			operation: 'send',
			recipient: '={{ $json.phone }}',
			...metaTemplate('welcome_named:en_US', { body_first_name: '={{ $json.name }}', body_shop_name: 'Lovelace Books' }),
			delivery,
		},
		items,
	);

const campaignRows = async (campaignId: string) =>
	await runNode(
		`${PACKAGE}.whatsAppSend`,
		{ resource: 'campaign', operation: 'get', campaignId, campaignOutput: 'recipients', returnAll: true },
		[{ json: {} }],
	);

/** Holds the segment's sends once Meta has accepted `count`, until `release` is called; `held` resolves then. */
function holdAfterAccepted(count: number): { held: Promise<void>; release: () => void } {
	let release!: () => void;
	hold = { after: count, released: new Promise<void>((resolve) => (release = resolve)) };
	const held = new Promise<void>((resolve) => {
		const watch = setInterval(() => {
			if (backends.graph.accepted.length < count) return;
			clearInterval(watch);
			resolve();
		}, 2);
	});
	return { held, release };
}

/** Meta's `message_template_status_update` for welcome_named. */
const statusBody = (event: string, extra: Record<string, unknown> = {}) =>
	metaFieldBody('message_template_status_update', {
		event,
		message_template_id: Number(WELCOME),
		message_template_name: 'welcome_named',
		message_template_language: 'en_US',
		reason: null,
		...extra,
	});

async function statusWebhook(trigger: TriggerUnderTest, event: string, extra: Record<string, unknown> = {}) {
	const raw = JSON.stringify(statusBody(event, extra));
	return (await trigger.post(raw, metaHeaders(raw))).status;
}

const PAUSE_INFO = {
	other_info: { title: 'FIRST_PAUSE', description: 'Your template has been paused for 3 hours because it had issues.' },
};
const PAUSED_REASON =
	'not sent: Meta paused the template "welcome_named" (en_US): FIRST_PAUSE: Your template has been paused for 3 hours because it had issues.; run the campaign again (same Campaign ID) once Meta approves it, and only the rest is sent';

/**
 * A 30-recipient segment of welcome_named is held after 5 accepted sends while Meta pauses the template and `pause`
 * tells a trigger; released, it stops; approved again (`approve`), the same campaign run again reaches exactly the others.
 */
async function pausedMidWayThenResumed(pause: () => Promise<void>, approve: () => Promise<void>) {
	const segment = recipients(30);
	const delivery = { campaignId: 'welcome-wave', messagesPerSecond: 50, concurrency: 4 };
	const { held, release } = holdAfterAccepted(5);
	const first = runTemplateSegment(delivery, segment);

	await held;
	// Meta pauses the template: it refuses further sends with 132015 and tells the trigger.
	setStatus('PAUSED');
	await pause();
	release();
	const items = await first;

	const accepted = items.filter((item) => item.status === 'accepted');
	const refused = items.filter((item) => item.status === 'failed');
	const skipped = items.filter((item) => item.status === 'skipped');
	expect(accepted.length + refused.length + skipped.length).toBe(30);
	expect(accepted.length).toBe(backends.graph.accepted.length);
	expect(accepted.length).toBeGreaterThanOrEqual(5);
	// Requests that had left when the webhook came are refused by Meta (at most the requests in flight).
	for (const item of refused) expect(item.error).toMatchObject({ code: 132015 });
	expect(refused.length).toBeLessThanOrEqual(delivery.concurrency);
	expect(skipped.length).toBeGreaterThan(0);
	for (const item of skipped) expect(item.reason).toBe(PAUSED_REASON);
	// Nothing left after the last refusal.
	expect(backends.graph.requests.filter((request) => request.method === 'POST')).toHaveLength(accepted.length + refused.length);

	// The campaign report says why, per recipient.
	const rows = await campaignRows('welcome-wave');
	expect(rows).toHaveLength(30);
	expect(rows.filter((row) => row.state === 'skipped').map((row) => row.reason)).toEqual(Array(skipped.length).fill(PAUSED_REASON));
	expect(rows.filter((row) => row.state === 'failed').map((row) => row.errorCode)).toEqual(Array(refused.length).fill(132015));

	// Meta approves it again and says so; the same campaign run again reaches exactly the others.
	setStatus('APPROVED');
	await approve();
	const second = await runTemplateSegment(delivery, segment);
	expect(second.filter((item) => item.status === 'accepted')).toHaveLength(30 - accepted.length);
	expect(second.filter((item) => item.status === 'skipped').map((item) => item.reason)).toEqual(
		Array(accepted.length).fill(expect.stringMatching(/^already sent in this campaign/)),
	);
	const reached = backends.graph.accepted.map((sent) => sent.to);
	expect(reached).toHaveLength(30);
	expect(new Set(reached).size).toBe(30);
}

test('a template-paused webhook stops the segment mid-way; resumed after approval, nobody gets it twice', async () => {
	// The trigger only records; its own events are messages, so the status update starts no execution.
	const trigger = await startCloudTrigger({ events: ['message'] }, { whatsAppRedis: redisCredential });
	try {
		await pausedMidWayThenResumed(
			async () => expect(await statusWebhook(trigger, 'PAUSED', PAUSE_INFO)).toBe(200),
			async () => expect(await statusWebhook(trigger, 'APPROVED')).toBe(200),
		);
	} finally {
		await trigger.close();
	}
});

test('the same pause through the Cloud webhook relay: the trigger it passes it to stops the segment; resumed, nobody twice', async () => {
	const gatewayRedis = await startRedis();
	const gateway = await startGateway({
		redisUrl: gatewayRedis.url,
		relayApps: parseRelayApps(JSON.stringify({ shop: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } })),
	});
	// Receiving Through the Relay, with the WhatsApp Redis credential the segments use: it records what the relay passes on.
	const trigger = await startCloudTrigger(
		{ reception: 'relay', events: ['message'] },
		{ whatsAppRelayApi: { url: gateway.url, apiKey: API_KEY, app: 'shop' }, whatsAppRedis: redisCredential },
	);
	const store = await RedisStore.connect({ ...(redisCredential as unknown as RedisConnection), database: 0 });
	// Meta delivers to the relay, which answers once it has recorded the delivery and passes it on afterwards.
	const throughTheRelay = async (body: unknown, recorded: (halt: unknown) => boolean) => {
		expect(await postSignedMetaWebhook(`${gateway.url}/meta/shop`, body, APP_SECRET)).toBe(200);
		await waitFor(async () => recorded((await store.templateHealth.halts([WELCOME]))[0]), 10_000, 'the trigger recording it');
	};
	try {
		expect(await trigger.activate()).toEqual({ existed: false });
		await pausedMidWayThenResumed(
			async () => await throughTheRelay(statusBody('PAUSED', PAUSE_INFO), (halt) => halt !== undefined),
			async () => await throughTheRelay(statusBody('APPROVED'), (halt) => halt === undefined),
		);
	} finally {
		await trigger.close();
		await store.close();
		await gateway.stop();
		await gatewayRedis.stop();
	}
});

test('without a webhook, the first 132015 stops every running segment of the template, in other executions too', async () => {
	const delivery = (campaignId: string) => ({ campaignId, messagesPerSecond: 50, concurrency: 2 });
	const { held, release } = holdAfterAccepted(4);
	const segments = [runTemplateSegment(delivery('wave-a'), recipients(20)), runTemplateSegment(delivery('wave-b'), recipients(20, 100))];
	await held;
	setStatus('PAUSED');
	release();
	const [a, b] = await Promise.all(segments);

	const learned = /^not sent: Meta paused the template "welcome_named" \(en_US\): a send got error 13201[56]; run the campaign again/;
	for (const items of [a, b]) {
		for (const item of items) {
			if (item.status === 'failed') expect(item.error).toMatchObject({ code: 132015 });
			else if (item.status === 'skipped') expect(item.reason).toMatch(learned);
			else expect(item.status).toBe('accepted');
		}
		expect(items.filter((item) => item.status === 'skipped').length).toBeGreaterThan(0);
	}
	const all = [...a, ...b];
	expect(all.filter((item) => item.status === 'accepted')).toHaveLength(backends.graph.accepted.length);
	// Only the requests in flight when Meta paused it were refused: two per segment at most.
	expect(all.filter((item) => item.status === 'failed').length).toBeLessThanOrEqual(4);
});

test('a pause recorded before this execution read the template as APPROVED was lifted since: it stops nothing', async () => {
	const trigger = await startCloudTrigger({ events: ['message'] }, { whatsAppRedis: redisCredential });
	const store = await RedisStore.connect({ ...(redisCredential as unknown as RedisConnection), database: 0 });
	try {
		expect(await statusWebhook(trigger, 'PAUSED')).toBe(200);
		expect(await store.templateHealth.halts([WELCOME])).toEqual([
			{ status: 'PAUSED', name: 'welcome_named', language: 'en_US', at: expect.any(Number) },
		]);
	} finally {
		await trigger.close();
	}
	// Meta lists it as APPROVED again; the trigger missed that webhook.
	try {
		const items = await runTemplateSegment({ campaignId: 'after-pause' }, recipients(5));
		expect(items.map((item) => item.status)).toEqual(Array(5).fill('accepted'));
		// And an APPROVED webhook forgets the pause.
		const approving = await startCloudTrigger({ events: ['message'] }, { whatsAppRedis: redisCredential });
		expect(await statusWebhook(approving, 'APPROVED')).toBe(200);
		await approving.close();
		expect(await store.templateHealth.halts([WELCOME])).toEqual([undefined]);
	} finally {
		await store.close();
	}
});
