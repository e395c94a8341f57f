import type { INodeParameters } from 'n8n-workflow';
import type { ScriptedFailure } from '../fakes/graphApi';
import { type Backends, messageBodies, nodeError, runSend, type RunExtra, TO, useBackends } from './fixtures';

const CLOSED_WINDOW = '4915100000047';
const backends = useBackends({ outsideWindow: [CLOSED_WINDOW] });

const sendText = (extra: RunExtra = {}, options: INodeParameters = {}, recipient = TO) =>
	runSend(backends(), { operation: 'sendText', recipient, text: 'Hello', options }, undefined, extra);

const script = (...failures: ScriptedFailure[]) => backends().graph.failNext(...failures);

/** [code, how the fake is made to answer it, Meta's message, the description we show, a piece of the fix]. */
const mapped: Array<[number, (b: Backends) => { recipient?: string; accessToken?: string }, string, string, string]> = [
	[
		190,
		() => ({ accessToken: 'EAAG-an-expired-token' }),
		'Error validating access token: Session has expired.',
		'The access token has expired or was revoked',
		'Create a new access token',
	],
	[
		100,
		(b) => (b.graph.failNext({ kind: 'error', code: 100, message: '(#100) Invalid parameter' }), {}),
		'(#100) Invalid parameter',
		'Meta rejected a parameter of the request',
		'Check the field Meta names',
	],
	[
		131009,
		(b) => (
			b.graph.failNext({
				kind: 'error',
				code: 131009,
				message: '(#131009) Parameter value is not valid',
				details: 'Total row count exceed max allowed count: 10',
			}),
			{}
		),
		'(#131009) Parameter value is not valid: Total row count exceed max allowed count: 10',
		'A parameter value is not valid (for example more than 10 list rows or a too long title) (Total row count exceed max allowed count: 10)',
		'Correct the value Meta names',
	],
	[
		131047,
		() => ({ recipient: CLOSED_WINDOW }),
		'Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
		'More than 24 hours have passed since this person last wrote, so free-form messages are not allowed',
		'Send an approved template',
	],
	[
		131026,
		(b) => (b.graph.failNext({ kind: 'error', code: 131026, message: 'Message Undeliverable.' }), {}),
		'Message Undeliverable.',
		'The message could not be delivered: the number may not be on WhatsApp, or uses an old app version',
		'Check the number',
	],
	[
		131050,
		(b) => (
			b.graph.failNext({
				kind: 'error',
				code: 131050,
				message:
					'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
			}),
			{}
		),
		'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
		'The recipient stopped marketing messages from this business',
		'Do not send marketing messages to this person',
	],
	[
		132000,
		(b) => (
			b.graph.failNext({ kind: 'error', code: 132000, message: 'Number of parameters does not match the expected number of params' }),
			{}
		),
		'Number of parameters does not match the expected number of params',
		'The number of template parameters does not match what the template expects',
		'one value per placeholder',
	],
];

describe.each(mapped)('Meta error %i', (code, arrange, backendMessage, description, fix) => {
	const run = (extra: RunExtra) => {
		const { recipient, accessToken } = arrange(backends());
		return sendText({ ...extra, ...(accessToken && { credentials: { accessToken } }) }, {}, recipient);
	};

	test("becomes an error item with Meta's code, description and fix (continueOnFail), sent once", async () => {
		const result = await run({ continueOnFail: true });

		expect(result.items).toEqual([
			{
				json: expect.objectContaining({
					status: 'failed',
					error: expect.objectContaining({
						kind: 'api',
						code,
						retryable: false,
						backendMessage,
						description: expect.stringContaining(description),
						fix: expect.stringContaining(fix),
					}),
				}),
				pairedItem: { item: 0 },
			},
		]);
		expect(messageBodies(backends().graph)).toHaveLength(1);
	});

	test('stops the node with a NodeApiError carrying code, description and fix', async () => {
		const error = nodeError(await run({}));

		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe(`WhatsApp error ${code}: ${description.replace(/ \(Total row.*/, '')}`);
		expect(error.description).toContain(description);
		expect(error.description?.split('. Fix: ')[1]).toContain(fix);
		expect(error.context?.itemIndex).toBe(0);
	});
});

describe('retries', () => {
	test.each([130429, 131000])('%i is retried with backoff and then succeeds; the attempts are the requests the fake got', async (code) => {
		script({ kind: 'error', code }, { kind: 'error', code });

		const run = await sendText({}, { initialBackoffMs: 50 });

		expect(run.error).toBeUndefined();
		const requests = backends().graph.requests;
		expect(requests).toHaveLength(3);
		expect(run.items[0].json).toMatchObject({ status: 'accepted', attempts: 3, messageId: 'wamid.TEST000001' });
		expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(25);
		expect(requests[2].at - requests[1].at).toBeGreaterThanOrEqual(50);
	});

	test('Retry-After is honoured even when the backoff would be shorter', async () => {
		script({ kind: 'error', code: 130429, status: 429, retryAfterSeconds: 1 });

		const run = await sendText({}, { initialBackoffMs: 5 });

		expect(run.error).toBeUndefined();
		const [first, second] = backends().graph.requests;
		expect(second.at - first.at).toBeGreaterThanOrEqual(950);
	});

	test('max attempts is respected: a throughput error that persists is tried exactly that often', async () => {
		script(...Array.from({ length: 5 }, () => ({ kind: 'error' as const, code: 130429 })));

		const run = await sendText({ continueOnFail: true }, { maxAttempts: 3 });

		expect(backends().graph.requests).toHaveLength(3);
		expect(run.items[0].json).toMatchObject({ status: 'failed', error: { code: 130429, retryable: true } });
	});

	test.each([190, 100, 131026, 131047, 131050])('non-retryable %i is never retried: exactly one request', async (code) => {
		script({ kind: 'error', code });

		await sendText({ continueOnFail: true });

		expect(backends().graph.requests).toHaveLength(1);
	});

	test('a connection dropped after Meta received the send is reported as ambiguous and not resent', async () => {
		script({ kind: 'dropConnection' });

		const run = await sendText({ continueOnFail: true });

		expect(backends().graph.requests).toHaveLength(1);
		expect(run.items[0].json).toMatchObject({
			status: 'failed',
			error: { kind: 'ambiguous', retryable: false, fix: 'Check whether the recipient got the message before sending again' },
		});
	});

	test('a bare 5xx without an error body is ambiguous for a send: reported, not resent', async () => {
		script({ kind: 'bare5xx', status: 502 });

		const run = await sendText({ continueOnFail: true });

		expect(backends().graph.requests).toHaveLength(1);
		expect(run.items[0].json).toMatchObject({
			status: 'failed',
			error: { kind: 'ambiguous', retryable: false, fix: expect.stringContaining('before sending again') },
		});
	});

	test('a Lite container 5xx is ambiguous for a send: reported, not resent', async () => {
		backends().lite.failNext({ kind: 'internal', status: 500 });

		const run = await runSend(backends(), { backend: 'lite', operation: 'sendText', recipient: TO, text: 'Hello' }, undefined, {
			continueOnFail: true,
		});

		expect(backends().lite.requests).toHaveLength(1);
		expect(run.items[0].json).toMatchObject({ status: 'failed', error: { kind: 'ambiguous', retryable: false } });
	});

	test('a connection refused before anything was sent is a network error, safe to retry', async () => {
		const { graph } = backends();
		await graph.close();

		const run = await sendText({ continueOnFail: true }, { maxAttempts: 2 });

		expect(run.items[0].json).toMatchObject({ status: 'failed', error: { kind: 'network', code: 'ECONNREFUSED', retryable: true } });
	});
});
