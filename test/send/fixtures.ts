import type { INodeParameters } from 'n8n-workflow';
import { PACKAGE, runWorkflow, singleNodeWorkflow } from '../harness/engine';
import { type FakeGraphApi, type FakeGraphOptions, startFakeGraphApi } from '../fakes/graphApi';
import { type FakeLiteContainer, startFakeLiteContainer } from '../fakes/liteContainer';

export const ACCESS_TOKEN = 'EAAG-test-secret-token-do-not-leak';
export const LITE_API_KEY = 'lite-secret-api-key-do-not-leak';
export const PHONE_NUMBER_ID = '106540352242922';
/** The recipient most tests write to, as WhatsApp wants it (digits with country code). */
export const TO = '4915123456789';

export interface Backends {
	graph: FakeGraphApi;
	lite: FakeLiteContainer;
	close(): Promise<unknown>;
}

export async function startBackends(graphOptions: Partial<FakeGraphOptions> = {}): Promise<Backends> {
	const graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID, ...graphOptions });
	const lite = await startFakeLiteContainer(LITE_API_KEY);
	return { graph, lite, close: async () => Promise.all([graph.close(), lite.close()]) };
}

/**
 * Fresh fakes for every test of the file, closed after it; the returned function gives the current ones.
 */
export function useBackends(graphOptions: Partial<FakeGraphOptions> = {}): () => Backends {
	let backends: Backends | undefined;
	beforeEach(async () => {
		backends = await startBackends(graphOptions);
	});
	afterEach(async () => {
		await backends?.close();
		backends = undefined;
	});
	return () => {
		if (!backends) throw new Error('useBackends() gives backends only inside a test');
		return backends;
	};
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

export type InputItem = { json: Record<string, unknown>; binary?: Record<string, unknown> };

export interface RunExtra {
	continueOnFail?: boolean;
	credentials?: { accessToken?: string; apiKey?: string };
}

/**
 * Runs WhatsApp Send with the given parameters over the given input items. Fast retries and, on Lite, no pause
 * between messages, unless the parameters say otherwise.
 */
export async function runSend(
	backends: Pick<Backends, 'graph' | 'lite'>,
	parameters: INodeParameters,
	items: InputItem[] = [{ json: {} }],
	extra: RunExtra = {},
) {
	const options = { initialBackoffMs: 5, ...((parameters.options as object) ?? {}) };
	const delivery = { minDelayMinutes: 0, maxDelayMinutes: 0, ...((parameters.delivery as object) ?? {}) };
	const workflow = singleNodeWorkflow(
		{
			name: 'WhatsApp Send',
			type: `${PACKAGE}.whatsAppSend`,
			parameters: { backend: 'cloud', ...parameters, options, delivery },
			credentials: { whatsAppCloudApi: { id: '1', name: 'Cloud' }, whatsAppLiteApi: { id: '2', name: 'Lite' } },
			...(extra.continueOnFail && { onError: 'continueRegularOutput' as const }),
		},
		items as never,
	);
	const result = await runWorkflow(workflow, credentialsFor(backends.graph, backends.lite, extra.credentials));
	return { ...result, items: result.output('WhatsApp Send') };
}

export type SendRun = Awaited<ReturnType<typeof runSend>>;

/** The bodies of the sends the fake Graph API received (POST /<phone-number-id>/messages), in order. */
export const messageBodies = (graph: FakeGraphApi) =>
	graph.requests.filter((request) => request.path.endsWith('/messages')).map((request) => request.body);

/** What Meta's send endpoint expects around one message: `{messaging_product, recipient_type, to, type, <type>: body}`. */
export function cloudEnvelope(type: string, body: unknown, extra: Record<string, unknown> = {}) {
	return { messaging_product: 'whatsapp', recipient_type: 'individual', to: TO, ...extra, type, [type]: body };
}

/** An input item carrying a file the way n8n keeps binary data in memory: base64 `data`, `mimeType`, `fileName`. */
export function binaryItem(
	file: { data: Buffer; mimeType: string; fileName: string },
	property = 'data',
	json: Record<string, unknown> = {},
): InputItem {
	return { json, binary: { [property]: { data: file.data.toString('base64'), mimeType: file.mimeType, fileName: file.fileName } } };
}

/** The run's result, its error and every output item as one string, to search for what must not be there. */
export function everythingVisible(run: SendRun): string {
	const error = run.error as (Error & Record<string, unknown>) | undefined;
	const errorParts = error && {
		...error,
		message: error.message,
		description: error.description,
		stack: error.stack,
		context: error.context,
	};
	return JSON.stringify({ run: run.run, items: run.items, error: errorParts });
}

/** The error the node stopped with, as n8n shows it. */
export function nodeError(run: SendRun) {
	const error = run.error as (Error & { description?: string; context?: { itemIndex?: number }; httpCode?: string }) | undefined;
	if (!error) throw new Error(`Expected the node to fail, but it returned ${JSON.stringify(run.items.map((item) => item.json))}`);
	return error;
}
