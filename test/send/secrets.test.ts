import { captureN8nLogs } from '../harness/logs';
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

test.each(outcomes)(
	'neither the access token nor the Lite API key appears in %s, nor in what it logged',
	async (what, arrange, parameters, extra) => {
		await arrange(backends());

		const logs = captureN8nLogs();
		const run = await runSend(backends(), { operation: 'sendText', recipient: TO, text: 'Hello', ...parameters }, undefined, extra).finally(
			logs.stop,
		);

		const visible = `${everythingVisible(run)}\n${logs.text()}`;
		expect(run.items.length + (run.error ? 1 : 0)).toBeGreaterThan(0);
		// A failure is logged with its cause (so the logs looked at are not empty).
		if (/thrown|continueOnFail/.test(what))
			expect(logs.entries).toContainEqual(expect.objectContaining({ metadata: expect.objectContaining({ cause: expect.any(String) }) }));
		expect(visible).not.toContain(ACCESS_TOKEN);
		expect(visible).not.toContain(LITE_API_KEY);
	},
);
