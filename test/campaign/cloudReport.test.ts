import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';
import { metaErrorDescription } from '../../nodes/whatsapp/channel/metaErrors';
import { closeProcessStateStores } from '../../nodes/whatsapp/n8n/store';
import { PACKAGE, runWorkflow, singleNodeWorkflow } from '../harness/engine';
import { type TestRedis, startRedis, uniquePrefix } from '../harness/redis';
import type { TriggerUnderTest } from '../harness/webhook';
import { recipients } from '../segment/run';
import { type Backends, credentialsFor, startBackends } from '../send/fixtures';
import { APP_SECRET, metaBody, metaHeaders, metaMessage, redisCredentialFor, startCloudTrigger } from '../trigger/fixtures';

/**
 * A 100-recipient Cloud campaign sent through the engine, whose fake Graph API then reports statuses to the
 * WhatsApp Trigger in signed webhooks, and whose recipients reply: Get Campaign gives the exact counts and rows.
 */

let redis: TestRedis;
let backends: Backends;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => {
	await closeProcessStateStores();
	await redis.stop();
});
beforeEach(async () => {
	backends = await startBackends();
});
afterEach(async () => await backends.close());

const digits = (index: number) => `4915${110_000_000 + index}`;
/** Free-form messages to these get 131047 from the fake (their 24-hour window is closed). */
const OUTSIDE_WINDOW = [10, 20, 30];
const DAILY_QUOTA = 95;

/** WhatsApp Send on the Cloud API, with the WhatsApp Redis credential when one is given (else process memory). */
async function runSend(
	parameters: INodeParameters,
	items: Array<{ json: Record<string, unknown> }>,
	redisCredential?: ICredentialDataDecryptedObject,
) {
	const workflow = singleNodeWorkflow(
		{
			name: 'WhatsApp Send',
			type: `${PACKAGE}.whatsAppSend`,
			parameters: { backend: 'cloud', ...parameters },
			credentials: { whatsAppCloudApi: { id: '1', name: 'Cloud' }, ...(redisCredential && { whatsAppRedis: { id: '3', name: 'Redis' } }) },
			onError: 'continueRegularOutput',
		},
		items,
	);
	const result = await runWorkflow(workflow, {
		...credentialsFor(backends.graph, backends.lite),
		...(redisCredential && { whatsAppRedis: redisCredential }),
	});
	return result.output('WhatsApp Send').map((item) => item.json);
}

/** The messages Meta accepted, in send order, and what the fake reports for each (by its position). */
function planFor(position: number): { state: 'sent' | 'delivered' | 'read' | 'failed'; replied: boolean } {
	const state = position < 50 ? 'read' : position < 80 ? 'delivered' : position >= 85 && position < 90 ? 'failed' : 'sent';
	return { state, replied: [0, 1, 60].includes(position) };
}

async function scenario(campaignId: string, redisCredential?: ICredentialDataDecryptedObject) {
	const trigger: TriggerUnderTest = await startCloudTrigger(
		{ events: ['message', 'status'] },
		redisCredential ? { whatsAppRedis: redisCredential } : {},
	);
	try {
		backends.graph.options.outsideWindow = OUTSIDE_WINDOW.map(digits);
		// One request at a time: who falls past the daily quota is then the last two of the segment.
		const sent = await runSend(
			{
				operation: 'sendText',
				recipient: '={{ $json.phone }}',
				text: '=Hi {{ $json.name }}',
				delivery: { campaignId, dailyQuota: DAILY_QUOTA, concurrency: 1, messagesPerSecond: 1000 },
				options: { initialBackoffMs: 5 },
			},
			recipients(100),
			redisCredential,
		);
		expect(sent.filter((item) => item.status === 'accepted')).toHaveLength(95);
		const accepted = backends.graph.accepted;
		expect(accepted).toHaveLength(95);

		const at = (status: 'sent' | 'delivered' | 'read' | 'failed', positions: number[]) =>
			positions.map((position) => ({
				id: accepted[position].id,
				status,
				...(status === 'failed' && { error: { code: 131026, title: 'Message undeliverable' } }),
			}));
		const positions = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);
		const report = (statuses: Parameters<Backends['graph']['sendStatuses']>[2]) =>
			backends.graph.sendStatuses(trigger.url, APP_SECRET, statuses);
		expect(await report(at('sent', positions(0, 95)))).toBe(200);
		expect(await report(at('delivered', positions(0, 80)))).toBe(200);
		expect(await report([...at('read', positions(0, 50)), ...at('failed', positions(85, 90))])).toBe(200);
		// Out of order and repeated: a delivered after read, a failed after read, the same delivery again.
		expect(await report([...at('delivered', positions(0, 10)), ...at('failed', [0]), ...at('delivered', positions(0, 80))])).toBe(200);

		const write = async (message: Record<string, unknown>) => {
			const raw = JSON.stringify(metaBody({ messages: [message] }));
			expect((await trigger.post(raw, metaHeaders(raw))).status).toBe(200);
		};
		// A reply quoting our message; replies without a quote (the last campaign message to that person counts);
		// a second message from someone who replied; a stranger; a quote of a message that is not ours.
		await write(
			metaMessage('text', { text: { body: 'Yes please' } }, { from: accepted[0].to, context: { from: '15550100000', id: accepted[0].id } }),
		);
		await write(metaMessage('text', { text: { body: 'How much?' } }, { from: accepted[1].to }));
		await write(metaMessage('text', { text: { body: 'And shipping?' } }, { from: accepted[1].to }));
		await write(metaMessage('text', { text: { body: 'Thanks' } }, { from: accepted[60].to }));
		await write(metaMessage('text', { text: { body: 'Who is this?' } }, { from: '4917000000001' }));
		await write(
			metaMessage(
				'text',
				{ text: { body: 'old thread' } },
				{ from: accepted[2].to, context: { from: '15550100000', id: 'wamid.NOT-OURS' } },
			),
		);

		const [summary] = await runSend({ resource: 'campaign', operation: 'get', campaignId }, [{ json: {} }], redisCredential);
		expect(summary).toMatchObject({
			campaignId,
			backend: 'cloud',
			recipients: 100,
			counts: {
				total: 100,
				queued: 0,
				sending: 0,
				sent: 95,
				delivered: 80,
				read: 50,
				replied: 3,
				failed: 8,
				skipped: 2,
				optedOut: 0,
				unknown: 0,
			},
			failedBy: [
				{ errorCode: 131026, description: metaErrorDescription(131026), count: 5 },
				{ errorCode: 131047, description: metaErrorDescription(131047), count: 3 },
			],
			skippedBy: [{ reason: 'daily quota reached', count: 2 }],
		});

		const rows = await runSend(
			{ resource: 'campaign', operation: 'get', campaignId, campaignOutput: 'recipients', returnAll: true },
			[{ json: {} }],
			redisCredential,
		);
		const positionOf = new Map(accepted.map((message, position) => [message.to, position]));
		const expected = Array.from({ length: 100 }, (_, index) => {
			const recipient = digits(index);
			const position = positionOf.get(recipient);
			if (OUTSIDE_WINDOW.includes(index)) return { recipient, state: 'failed', replied: false, errorCode: 131047 };
			if (position === undefined) return { recipient, state: 'skipped', replied: false };
			return {
				recipient,
				messageId: accepted[position].id,
				...planFor(position),
				...(planFor(position).state === 'failed' && { errorCode: 131026 }),
			};
		});
		expect(
			rows.map(({ recipient, state, replied, messageId, errorCode }) => ({
				recipient,
				state,
				replied,
				...(messageId !== undefined && { messageId }),
				...(errorCode !== undefined && { errorCode }),
			})),
		).toEqual(expected);
		expect(rows.filter((row) => row.state === 'skipped').map((row) => row.reason)).toEqual([
			expect.stringMatching(/^daily quota reached \(95\/95\); resets at /),
			expect.stringMatching(/^daily quota reached/),
		]);
		expect(rows.filter((row) => row.state === 'read').every((row) => row.sentAt && row.deliveredAt && row.readAt)).toBe(true);
		expect(rows.find((row) => row.recipient === accepted[0].to)).toMatchObject({ replied: true, repliedAt: expect.any(String) });
		const sentTimes = rows.flatMap((row) => (row.sentAt ? [row.sentAt as string] : [])).sort();
		expect(sentTimes).toHaveLength(95);
		expect(summary).toMatchObject({ firstSentAt: sentTimes[0], lastSentAt: sentTimes[94] });

		// Pages of 40 by cursor give the same rows; the last page says there is no next one.
		const paged: Array<Record<string, unknown>> = [];
		let cursor = '';
		do {
			const page = await runSend(
				{ resource: 'campaign', operation: 'get', campaignId, campaignOutput: 'recipients', limit: 40, cursor },
				[{ json: {} }],
				redisCredential,
			);
			paged.push(...page);
			cursor = page[page.length - 1].nextCursor as string;
		} while (cursor);
		expect(paged.map(({ nextCursor: _, ...row }) => row)).toEqual(rows.map(({ nextCursor: _, ...row }) => row));
		expect(paged.map((row) => row.nextCursor)).toEqual([...Array(40).fill('40'), ...Array(40).fill('80'), ...Array(20).fill(null)]);

		const today = new Date().toISOString().slice(0, 10);
		const listed = await runSend({ resource: 'campaign', operation: 'list', day: today }, [{ json: {} }], redisCredential);
		expect(listed).toContainEqual({ campaignId, day: today, backend: 'cloud', businessNumber: '106540352242922' });
	} finally {
		await trigger.close();
	}
}

test('with Redis: statuses and replies through the trigger give Get Campaign its exact counts and rows', async () => {
	const keyPrefix = uniquePrefix();
	const { whatsAppRedis } = redisCredentialFor(redis.url, { keyPrefix });
	await scenario('spring-cloud-redis', whatsAppRedis);
});

test("without Redis: the trigger and the sending node share this process's memory", async () => {
	await scenario('spring-cloud-memory');
});

test('a campaign nobody sent is refused with what to check', async () => {
	const [item] = await runSend({ resource: 'campaign', operation: 'get', campaignId: 'never-sent' }, [{ json: {} }]);
	expect(item.error).toMatchObject({
		message: 'No campaign never-sent for this phone number',
		fix: expect.stringContaining('the same WhatsApp Shared State (Redis) credential as the sending node'),
	});
});
