import type { INodeParameters } from 'n8n-workflow';
import { PACKAGE, runWorkflow, singleNodeWorkflow } from '../harness/engine';
import { type FakeGraphApi, startFakeGraphApi } from '../fakes/graphApi';
import { type FakeLiteContainer, startFakeLiteContainer } from '../fakes/liteContainer';

export const ACCESS_TOKEN = 'EAAG-test-secret-token-do-not-leak';
export const LITE_API_KEY = 'lite-secret-api-key-do-not-leak';
export const PHONE_NUMBER_ID = '106540352242922';

export async function startBackends() {
	const graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
	const lite = await startFakeLiteContainer(LITE_API_KEY);
	return { graph, lite, close: async () => Promise.all([graph.close(), lite.close()]) };
}

export function credentialsFor(graph: FakeGraphApi, lite: FakeLiteContainer, overrides: { accessToken?: string; apiKey?: string } = {}) {
	return {
		whatsAppCloudApi: {
			accessToken: overrides.accessToken ?? ACCESS_TOKEN,
			phoneNumberId: PHONE_NUMBER_ID,
			businessAccountId: '102290129340398',
			apiVersion: 'v23.0',
			appSecret: 'app-secret',
			verifyToken: 'verify-token',
			baseUrl: graph.url,
		},
		whatsAppLiteApi: { url: lite.url, apiKey: overrides.apiKey ?? LITE_API_KEY, suitId: 'suit-1', webhookSecret: 'lite-webhook-secret' },
	};
}

/** Runs WhatsApp Send with the given parameters over the given input items; fast retries unless overridden. */
export async function runSend(
	backends: { graph: FakeGraphApi; lite: FakeLiteContainer },
	parameters: INodeParameters,
	items: Array<{ json: Record<string, unknown>; binary?: Record<string, unknown> }> = [{ json: {} }],
	extra: { continueOnFail?: boolean; credentials?: { accessToken?: string; apiKey?: string } } = {},
) {
	const options = { initialBackoffMs: 5, ...((parameters.options as object) ?? {}) };
	const workflow = singleNodeWorkflow(
		{
			name: 'WhatsApp Send',
			type: `${PACKAGE}.whatsAppSend`,
			parameters: { backend: 'cloud', ...parameters, options },
			credentials: { whatsAppCloudApi: { id: '1', name: 'Cloud' }, whatsAppLiteApi: { id: '2', name: 'Lite' } },
			...(extra.continueOnFail && { onError: 'continueRegularOutput' as const }),
		},
		items as never,
	);
	const result = await runWorkflow(workflow, credentialsFor(backends.graph, backends.lite, extra.credentials));
	return { ...result, items: result.output('WhatsApp Send') };
}
