import { ACCESS_TOKEN, type Backends, everythingVisible, LITE_API_KEY, runSend, type RunExtra, TO, useBackends } from './fixtures';

const backends = useBackends();

/** [what, how the fakes are set up, node parameters, run options]. The secrets must appear nowhere in any outcome. */
const outcomes: Array<[string, (b: Backends) => unknown, Record<string, unknown>, RunExtra]> = [
	['a Cloud send', () => undefined, {}, {}],
	['a Cloud 190 (continueOnFail)', () => undefined, {}, { continueOnFail: true, credentials: { accessToken: `${ACCESS_TOKEN}-expired` } }],
	['a Cloud 190 (thrown)', () => undefined, {}, { credentials: { accessToken: `${ACCESS_TOKEN}-expired` } }],
	['a Cloud dropped connection (thrown)', (b) => b.graph.failNext({ kind: 'dropConnection' }), {}, {}],
	['a Cloud connection refused (thrown)', (b) => b.graph.close(), { options: { maxAttempts: 1 } }, {}],
	['a Lite send', () => undefined, { backend: 'lite' }, {}],
	['a Lite wrong API key (thrown)', () => undefined, { backend: 'lite' }, { credentials: { apiKey: `${LITE_API_KEY}-wrong` } }],
	['a Lite connection refused (continueOnFail)', (b) => b.lite.close(), { backend: 'lite' }, { continueOnFail: true }],
];

test.each(outcomes)('neither the access token nor the Lite API key appears in %s', async (_what, arrange, parameters, extra) => {
	await arrange(backends());

	const run = await runSend(backends(), { operation: 'sendText', recipient: TO, text: 'Hello', ...parameters }, undefined, extra);

	const visible = everythingVisible(run);
	expect(run.items.length + (run.error ? 1 : 0)).toBeGreaterThan(0);
	expect(visible).not.toContain(ACCESS_TOKEN);
	expect(visible).not.toContain(LITE_API_KEY);
});
