import type { ServerResponse } from 'node:http';
import { type FakeGraphApi, startFakeGraphApi } from './graphApi';
import { TEMPLATES } from './graphTemplates';
import { type RecordedRequest, sendJson } from './httpServer';
import { metaWebhookBody, postSignedMetaWebhook } from './metaWebhook';

/**
 * The Cloud API sandbox of `npm start` (docs/cloud-api-sandbox.md): the tests' fake Graph API on a fixed loopback
 * port with the fake business account's templates, a Meta app whose webhook subscription the WhatsApp Trigger can
 * register, and a few routes of its own under /sandbox/ to "receive" a message and look at what was sent.
 * It is NOT Meta: nothing leaves this machine and no WhatsApp user gets anything.
 */
export const CLOUD_SANDBOX_IDS = {
	phoneNumberId: '100000000000001',
	businessAccountId: '100000000000002',
	appId: '100000000000003',
	displayNumber: '+1 555-010-0000',
};

export const SANDBOX_LABEL = 'Local WhatsApp Cloud API sandbox — NOT Meta: nothing leaves this machine, no WhatsApp user receives anything';

/** Recorded requests and sends kept for GET /sandbox/messages; older ones are dropped. */
const MAX_RECORDED = 500;

export interface CloudSandboxOptions {
	accessToken: string;
	appSecret: string;
	port?: number;
	/**
	 * The Cloud webhook relay's callback for the sandbox app (`npm start`: the Lite gateway's `/meta/sandbox`), as a
	 * user enters it in a Meta app: every "received" message goes there too, and from there to the triggers that
	 * receive Through the Relay.
	 */
	relayCallback?: string;
}

export interface CloudSandbox {
	url: string;
	graph: FakeGraphApi;
	/** Sends a signed Meta webhook for an incoming text to every subscribed callback and the relay; resolves with their answers. */
	receive(input: { from: string; name?: string; text: string }): Promise<Received>;
	close(): Promise<void>;
}

type Answer = { url: string; status: number };
export type Received = { delivered: Answer[]; relayed?: Answer };

let inboundCounter = 0;

export async function startCloudSandbox(options: CloudSandboxOptions): Promise<CloudSandbox> {
	// Assigned once the fake Graph API runs (below); the handlers defined first read it.
	// eslint-disable-next-line prefer-const
	let graph: FakeGraphApi | undefined;

	const receive: CloudSandbox['receive'] = async ({ from, name, text }) => {
		const digits = from.replace(/\D/g, '');
		if (!/^\d{7,15}$/.test(digits)) throw new SandboxInputError(`from "${from}" is not a phone number with country code (7 to 15 digits)`);
		if (!text) throw new SandboxInputError('text must be the message text');
		const id = `wamid.SANDBOXIN${String(++inboundCounter).padStart(6, '0')}${Date.now().toString(36).toUpperCase()}`;
		const body = metaWebhookBody(
			{
				contacts: [{ profile: { name: name ?? 'Sandbox user' }, wa_id: digits }],
				messages: [{ from: digits, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
			},
			CLOUD_SANDBOX_IDS.phoneNumberId,
		);
		const callbacks = graph!.subscriptions.filter((subscription) => subscription.active).map((subscription) => subscription.callback_url);
		const post = async (url: string) => ({ url, status: await postSignedMetaWebhook(url, body, options.appSecret) });
		const relayed = options.relayCallback ? await post(options.relayCallback) : undefined;
		return { delivered: await Promise.all(callbacks.map(post)), ...(relayed && { relayed }) };
	};

	const sandboxRoutes = async (request: RecordedRequest, res: ServerResponse): Promise<boolean> => {
		trim(graph);
		if (request.method === 'GET' && request.path === '/') {
			sendJson(res, 200, { sandbox: SANDBOX_LABEL, docs: 'docs/cloud-api-sandbox.md', ...CLOUD_SANDBOX_IDS });
			return true;
		}
		if (!request.path.startsWith('/sandbox/')) return false;
		try {
			if (request.method === 'GET' && request.path === '/sandbox/messages')
				sendJson(res, 200, { sandbox: SANDBOX_LABEL, messages: graph!.accepted });
			else if (request.method === 'GET' && request.path === '/sandbox/subscriptions')
				sendJson(res, 200, { subscriptions: graph!.subscriptions });
			else if (request.method === 'POST' && request.path === '/sandbox/inbound') {
				const body = (request.body ?? {}) as Record<string, unknown>;
				const received = await receive({
					from: String(body.from ?? ''),
					name: typeof body.name === 'string' ? body.name : undefined,
					text: typeof body.text === 'string' ? body.text : '',
				});
				const reached = received.delivered.length > 0 || received.relayed !== undefined;
				const hint = reached
					? undefined
					: 'No webhook is subscribed: activate a workflow with a WhatsApp Trigger on the Cloud API sandbox credential (Register Automatically on)';
				sendJson(res, reached ? 200 : 409, { ...received, ...(hint && { hint }) });
			} else sendJson(res, 404, { error: `no sandbox route ${request.method} ${request.path}` });
		} catch (error) {
			if (!(error instanceof SandboxInputError)) throw error;
			sendJson(res, 400, { error: error.message });
		}
		return true;
	};

	graph = await startFakeGraphApi({
		accessToken: options.accessToken,
		phoneNumberId: CLOUD_SANDBOX_IDS.phoneNumberId,
		businessAccountId: CLOUD_SANDBOX_IDS.businessAccountId,
		templates: TEMPLATES,
		maxTemplatePageSize: 25,
		app: { id: CLOUD_SANDBOX_IDS.appId, secret: options.appSecret },
		phoneNumber: { display: CLOUD_SANDBOX_IDS.displayNumber, verifiedName: 'Cloud API sandbox (not Meta)' },
		port: options.port,
		before: sandboxRoutes,
	});
	return { url: graph.url, graph, receive, close: graph.close };
}

class SandboxInputError extends Error {}

function trim(graph: FakeGraphApi | undefined) {
	for (const list of [graph?.requests, graph?.accepted, graph?.uploads]) {
		if (list && list.length > MAX_RECORDED) list.splice(0, list.length - MAX_RECORDED);
	}
}
