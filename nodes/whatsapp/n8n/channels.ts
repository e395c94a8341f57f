import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INodeCredentialTestResult,
	IWebhookFunctions,
} from 'n8n-workflow';
import { BACKEND_NAMES } from '../channel/capabilities';
import { CloudChannel } from '../channel/cloud';
import type { HttpRequester } from '../channel/http';
import { keptAliveRequester } from '../channel/keptAliveClient';
import { LiteChannel } from '../channel/lite';
import type { Backend, Channel } from '../channel/types';
import { isWhatsAppError } from '../../../contract/errors';
import { helperRequester, REQUEST_TIMEOUT_MS } from './requesters';
import { redisCredentialTest } from './store';

export const CREDENTIAL_TYPES = { cloud: 'whatsAppCloudApi', lite: 'whatsAppLiteApi' } as const satisfies Record<Backend, string>;

type RequestContext = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

/**
 * The credential's secret as the header its backend expects. The credential types declare no `authenticate` block
 * for n8n to apply: with one, n8n adds a "Custom API Call" operation to every node using them, which leads nowhere
 * (docs/n8n-facts.md). So every request of the package applies it here, and nothing else sees it.
 */
export function credentialHeaders(backend: Backend, credentials: ICredentialDataDecryptedObject): Record<string, string> {
	return backend === 'cloud'
		? { authorization: `Bearer ${String(credentials.accessToken ?? '')}` }
		: { appApiKey: String(credentials.apiKey ?? '') };
}

/**
 * Requests go through n8n's helper, so n8n's proxy settings and TLS options apply.
 *
 * n8n aborts the requests of a stopped execution that it makes with the credential helper. A send cut off in flight
 * may still have reached WhatsApp, and its recipient could then be neither sent again nor known as sent. The plain
 * `httpRequest` helper takes no stop signal: requests are bounded by their timeout, and the delivery engine stops
 * *starting* sends instead.
 */
function n8nRequester(context: RequestContext, backend: Backend, credentials: ICredentialDataDecryptedObject): HttpRequester {
	return helperRequester(
		BACKEND_NAMES[backend],
		async (options) => await context.helpers.httpRequest(options),
		credentialHeaders(backend, credentials),
	);
}

/**
 * @param request how the channel calls its backend
 * @param sendRequest Cloud only: how it sends messages, when that differs (the kept-alive client)
 */
export function channelFor(
	backend: Backend,
	credentials: ICredentialDataDecryptedObject,
	request: HttpRequester,
	sendRequest?: HttpRequester,
): Channel {
	if (backend === 'cloud') {
		return new CloudChannel(
			{
				baseUrl: String(credentials.baseUrl || 'https://graph.facebook.com'),
				apiVersion: String(credentials.apiVersion || 'v23.0'),
				phoneNumberId: String(credentials.phoneNumberId ?? ''),
				businessAccountId: credentials.businessAccountId ? String(credentials.businessAccountId) : undefined,
			},
			request,
			sendRequest,
		);
	}
	return new LiteChannel({ url: String(credentials.url ?? ''), suitId: String(credentials.suitId ?? '') }, request);
}

/**
 * Cloud message sends go over kept-alive connections (docs/transport.md): at up to 1,000 sends a second, a new
 * connection per request, as n8n's helper opens, costs more than the rest of a send. Everything else stays on
 * n8n's helper.
 */
function cloudSendRequester(credentials: ICredentialDataDecryptedObject, n8nRequest: HttpRequester): HttpRequester {
	return keptAliveRequester({
		headers: credentialHeaders('cloud', credentials),
		timeoutMs: REQUEST_TIMEOUT_MS,
		target: BACKEND_NAMES.cloud,
		fallback: n8nRequest,
	});
}

/** The credential of the Cloud webhook relay (a Lite gateway with RELAY_APPS). */
export const RELAY_CREDENTIAL_TYPE = 'whatsAppRelayApi';

/** The relay's API, called as the Lite container's is (it is a Lite gateway), and its credential. */
export async function relayFromContext(
	context: IHookFunctions | IWebhookFunctions,
): Promise<{ channel: LiteChannel; credentials: ICredentialDataDecryptedObject }> {
	const credentials = await context.getCredentials(RELAY_CREDENTIAL_TYPE);
	return { channel: channelFor('lite', credentials, n8nRequester(context, 'lite', credentials)) as LiteChannel, credentials };
}

/** The channel for the backend the node's credential points at. */
export async function channelFromContext(context: RequestContext, backend: Backend): Promise<Channel> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPES[backend]);
	const request = n8nRequester(context, backend, credentials);
	return channelFor(backend, credentials, request, backend === 'cloud' ? cloudSendRequester(credentials, request) : undefined);
}

/**
 * Downloads a URL with the backend's credential applied (Meta's media URLs need the access token). Errors keep
 * only the helper's message, which names no header.
 */
export async function credentialDownloader(context: IWebhookFunctions, backend: Backend): Promise<(url: string) => Promise<Buffer>> {
	const headers = credentialHeaders(backend, await context.getCredentials(CREDENTIAL_TYPES[backend]));
	return async (url) => {
		const body = await context.helpers.httpRequest({
			url,
			method: 'GET',
			headers,
			encoding: 'arraybuffer',
			json: false,
			timeout: REQUEST_TIMEOUT_MS,
		});
		return Buffer.from(body as ArrayBuffer);
	};
}

/** A requester for credential tests, where n8n offers only the older `request` helper. */
function credentialTestRequester(
	context: ICredentialTestFunctions,
	backend: Backend,
	credentials: ICredentialDataDecryptedObject,
): HttpRequester {
	const request = async ({ url, ...options }: IHttpRequestOptions) =>
		await context.helpers.request({
			method: options.method,
			uri: url,
			qs: options.qs,
			headers: options.headers,
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			timeout: options.timeout,
		});
	return helperRequester(BACKEND_NAMES[backend], request, credentialHeaders(backend, credentials));
}

async function testCredential(
	context: ICredentialTestFunctions,
	backend: Backend,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const credentials = credential.data ?? {};
	try {
		const status = await channelFor(backend, credentials, credentialTestRequester(context, backend, credentials)).status();
		return { status: status.ready ? 'OK' : 'Error', message: status.detail };
	} catch (error) {
		// Anything but a WhatsAppError is a bug, and n8n shows it as such.
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
		if (!isWhatsAppError(error)) throw error;
		const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
		const meta = backend === 'cloud' && error.backendMessage ? ` Meta says: ${sentence(error.backendMessage)}` : '';
		return { status: 'Error', message: `${sentence(error.message)}${meta} ${sentence(error.fix)}` };
	}
}

/** Registered by every node under `methods.credentialTest`, named by `testedBy` in its credentials. */
export const credentialTest = {
	async whatsAppCloudApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted) {
		return await testCredential(this, 'cloud', credential);
	},
	async whatsAppLiteApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted) {
		return await testCredential(this, 'lite', credential);
	},
	...redisCredentialTest,
};
