import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';
import { API_KEY, SECRET, SUIT, type TestGateway, startGateway } from '../../lite/test/helpers/gateway';
import { waitFor } from '../../lite/test/helpers/wait';
import { closeProcessStateStores } from '../../nodes/whatsapp/n8n/store';
import { PACKAGE, runWorkflow, singleNodeWorkflow } from '../harness/engine';
import { type TestRedis, startRedis, uniquePrefix } from '../harness/redis';
import type { TriggerUnderTest } from '../harness/webhook';
import { recipients } from '../segment/run';
import { redisCredentialFor, startLiteTrigger } from '../trigger/fixtures';

/**
 * A 100-recipient Container Campaign handed by n8n to the real Lite gateway (sandbox driver), which sends it and
 * posts its acks to the WhatsApp Trigger; Get Campaign combines the gateway's receiver list with those acks and
 * the replies. The sandbox's numbers ending in 0000 have no WhatsApp, in 77 never read, in 99 fail after sending.
 */

let redis: TestRedis;
let gateway: TestGateway;
let trigger: TriggerUnderTest;
let nodeRedis: ICredentialDataDecryptedObject;
let lite: ICredentialDataDecryptedObject;

beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => {
	await closeProcessStateStores();
	await redis.stop();
});
beforeEach(async () => {
	gateway = await startGateway({ redisUrl: redis.url });
	lite = { url: gateway.url, apiKey: API_KEY, suitId: SUIT, webhookSecret: SECRET };
	nodeRedis = redisCredentialFor(redis.url, { keyPrefix: uniquePrefix() }).whatsAppRedis;
	trigger = await startLiteTrigger({ events: ['message', 'status'] }, { whatsAppLiteApi: lite, whatsAppRedis: nodeRedis });
	await trigger.activate();
});
afterEach(async () => {
	await trigger.close();
	await gateway.stop();
});

const digits = (index: number) => `4915${110_000_000 + index}`;

async function runSend(parameters: INodeParameters, items: Array<{ json: Record<string, unknown> }>) {
	const workflow = singleNodeWorkflow(
		{
			name: 'WhatsApp Send',
			type: `${PACKAGE}.whatsAppSend`,
			parameters: { backend: 'lite', ...parameters },
			credentials: { whatsAppLiteApi: { id: '2', name: 'Lite' }, whatsAppRedis: { id: '3', name: 'Redis' } },
			onError: 'continueRegularOutput',
		},
		items,
	);
	const result = await runWorkflow(workflow, { whatsAppLiteApi: lite, whatsAppRedis: nodeRedis });
	return result.output('WhatsApp Send').map((item) => item.json);
}

const statusItems = () => trigger.started.flat().filter((item) => item.json.event === 'status');

test("Get Campaign combines the gateway's receivers with the sandbox's acks and the replies", async () => {
	const campaignId = 'spring-lite';
	const queued = await runSend(
		{
			operation: 'sendText',
			recipient: '={{ $json.phone }}',
			text: '=Hi {{ $json.name }}',
			delivery: { campaignId, mode: 'campaign', minDelayMinutes: 3, maxDelayMinutes: 3 },
		},
		recipients(100),
	);
	expect(queued.every((item) => item.status === 'queued')).toBe(true);

	// 97 messages acked sent, delivered, read; the one to …77 sent and delivered; the one to …99 sent and failed.
	await waitFor(() => statusItems().length === 97 * 3 + 2 + 2, 30_000, "the sandbox's acks at the trigger");
	const messageIdOf = new Map(gateway.sandbox.sent.map((sent) => [sent.chatId.replace('@c.us', ''), sent.id]));
	const reply = async (index: number, quoted?: boolean) => {
		const answer = await gateway.call('POST', '/sandbox/inbound', {
			from: digits(index),
			body: 'Yes!',
			...(quoted && { quotedMessageId: messageIdOf.get(digits(index)) }),
		});
		expect(answer.status).toBe(201);
	};
	await reply(5, true);
	await reply(6);
	await reply(8);
	await waitFor(
		() => trigger.started.flat().filter((item) => item.json.event === 'message').length === 3,
		10_000,
		'the replies at the trigger',
	);

	const [summary] = await runSend({ resource: 'campaign', operation: 'get', campaignId }, [{ json: {} }]);
	expect(summary).toMatchObject({
		campaignId,
		backend: 'lite',
		businessNumber: SUIT,
		state: 'finished',
		counts: {
			total: 100,
			queued: 0,
			sending: 0,
			sent: 99,
			delivered: 98,
			read: 97,
			replied: 3,
			failed: 2,
			skipped: 0,
			optedOut: 0,
			unknown: 0,
		},
		failedBy: expect.arrayContaining([
			{ errorCode: null, description: 'WhatsApp Web reported the message as failed (ack -1)', count: 1 },
			{ errorCode: null, description: expect.stringContaining(digits(0)), count: 1 },
		]),
	});

	const rows = await runSend({ resource: 'campaign', operation: 'get', campaignId, campaignOutput: 'recipients', returnAll: true }, [
		{ json: {} },
	]);
	const expectedState = (index: number) => (index === 0 || index === 99 ? 'failed' : index === 77 ? 'delivered' : 'read');
	expect(rows.map((row) => [row.recipient, row.state, row.replied])).toEqual(
		Array.from({ length: 100 }, (_, index) => [digits(index), expectedState(index), [5, 6, 8].includes(index)]),
	);
	expect(
		rows
			.filter((row) => row.state !== 'failed' || row.recipient === digits(99))
			.every((row) => row.messageId === messageIdOf.get(row.recipient as string)),
	).toBe(true);
	expect(rows[5]).toMatchObject({
		campaignState: 'finished',
		sentAt: expect.any(String),
		deliveredAt: expect.any(String),
		readAt: expect.any(String),
		repliedAt: expect.any(String),
	});

	const today = new Date().toISOString().slice(0, 10);
	expect(await runSend({ resource: 'campaign', operation: 'list', day: today }, [{ json: {} }])).toEqual([
		{ campaignId, day: today, backend: 'lite', businessNumber: SUIT },
	]);
});
