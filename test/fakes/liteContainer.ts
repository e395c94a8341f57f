import { timingSafeEqual } from 'node:crypto';
import { loadConfig } from '../../lite/src/config';
import { isApiError } from '../../lite/src/http/errors';
import { outgoingMessage, recipientOf } from '../../lite/src/send/request';
import { type RecordedRequest, sendJson, startServer } from './httpServer';

/** A scripted answer for the next send: a 5xx (the contract's INTERNAL, or with no body at all), or a connection dropped after receipt. */
export type LiteScriptedFailure = { kind: 'internal'; status: number } | { kind: 'bare5xx'; status: number } | { kind: 'dropConnection' };

/** The gateway's limits with nothing configured (text length, inline media, media hosts). */
const defaultLimits = loadConfig({});

/** The gateway's own reading of a send body (lite/src/send/request.ts): its 400 answer, or nothing when it is valid. */
function refusal(body: Record<string, unknown>): { status: number; body: unknown } | undefined {
	try {
		recipientOf(body.number, 'number');
		outgoingMessage(body, defaultLimits);
		return undefined;
	} catch (error) {
		if (isApiError(error)) return { status: error.status, body: error.body() };
		throw error;
	}
}

/** The gateway reads the chat from a serialized message ID ("true_4915…@c.us_3EB0…") when chatId is not given. */
const SERIALIZED_ID = /^(?:true|false)_([^_]+@(?:c|g)\.us)_/;

/** A stand-in for a Lite container per docs/lite-api.md: API key, session state, sends, read receipts. */
export interface FakeLiteContainer {
	url: string;
	requests: RecordedRequest[];
	sent: Array<Record<string, unknown> & { messageId: string }>;
	/** Registered webhooks by ID (`/webhooks` routes; registering a URL again keeps its ID). */
	webhooks: Map<string, { id: string; url: string; events: string[]; createdAt: string }>;
	state: { authenticated: boolean; quotaLeft: number; notOnWhatsApp: string[] };
	failNext(...failures: LiteScriptedFailure[]): void;
	close(): Promise<void>;
}

const safeEqual = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export async function startFakeLiteContainer(apiKey: string): Promise<FakeLiteContainer> {
	const requests: RecordedRequest[] = [];
	const sent: FakeLiteContainer['sent'] = [];
	const webhooks: FakeLiteContainer['webhooks'] = new Map();
	const state = { authenticated: true, quotaLeft: 300, notOnWhatsApp: [] as string[] };
	const scripted: LiteScriptedFailure[] = [];
	const error = (code: string, message: string, fix: string, extra: Record<string, unknown> = {}) => ({ error: { code, message, fix, ...extra } });

	const running = await startServer((request, res) => {
		requests.push(request);
		if (!safeEqual(String(request.headers.appapikey ?? ''), apiKey)) {
			return sendJson(res, 401, error('UNAUTHORIZED', 'Invalid API key', 'Send the container\'s API_KEY in the appApiKey header'));
		}
		if (request.method === 'GET' && request.path === '/whatsapp-status') {
			return sendJson(res, 200, { authenticated: state.authenticated, status: state.authenticated ? 'ready' : 'waiting_for_scan', lastAuthenticated: null });
		}
		const body = (request.body ?? {}) as Record<string, unknown>;
		if (request.path.startsWith('/webhooks')) return webhookRoute(request, body, res);
		if (!state.authenticated) return sendJson(res, 409, error('SESSION_NOT_READY', 'WhatsApp session is not ready', 'Scan the QR at /whatsapp-login'));
		if (request.method === 'POST' && request.path === '/api/send-message') {
			const number = String(body.number ?? '');
			const refused = refusal(body);
			if (refused) return sendJson(res, refused.status, refused.body);
			const failure = scripted.shift();
			if (failure?.kind === 'dropConnection') return void res.socket?.destroy();
			if (failure?.kind === 'bare5xx') return void res.writeHead(failure.status).end();
			if (failure?.kind === 'internal') return sendJson(res, failure.status, error('INTERNAL', 'Scripted internal error', 'Check the gateway logs'));
			if (state.notOnWhatsApp.includes(number)) return sendJson(res, 404, error('NOT_ON_WHATSAPP', `${number} is not on WhatsApp`, 'Check the number'));
			if (state.quotaLeft <= 0) return sendJson(res, 429, error('QUOTA_EXCEEDED', 'Daily quota reached', 'Wait for the reset', { resetAt: '2030-01-02T00:00:00.000Z' }));
			state.quotaLeft--;
			const chatId = number.includes('@') ? number : `${number}@c.us`;
			const messageId = `true_${chatId}_LITE${String(sent.length + 1).padStart(4, '0')}`;
			sent.push({ ...body, messageId });
			return sendJson(res, 200, { success: true, messageId, chatId });
		}
		if (request.method === 'POST' && request.path === '/api/mark-read') {
			if (!body.chatId && !SERIALIZED_ID.test(String(body.messageId ?? ''))) {
				return sendJson(res, 400, error('INVALID_REQUEST', 'chatId is missing (and messageId does not name a chat)', 'Send the chatId of the message, e.g. 4915123456789@c.us'));
			}
			return sendJson(res, 200, { success: true });
		}
		return sendJson(res, 404, error('NOT_FOUND', `No route ${request.method} ${request.path}`, 'See docs/lite-api.md'));
	});
	function webhookRoute(request: RecordedRequest, body: Record<string, unknown>, res: Parameters<typeof sendJson>[0]) {
		if (request.method === 'GET' && request.path === '/webhooks') return sendJson(res, 200, { webhooks: [...webhooks.values()] });
		if (request.method === 'POST' && request.path === '/webhooks') {
			const url = String(body.url ?? '');
			if (!/^https?:\/\//.test(url)) return sendJson(res, 400, error('INVALID_REQUEST', `url "${url}" must be an http(s) URL`, 'Send the webhook URL'));
			const existing = [...webhooks.values()].find((webhook) => webhook.url === url);
			const webhook = { id: existing?.id ?? `wh_${webhooks.size + 1}`, url, events: (body.events as string[]) ?? ['message', 'message_ack', 'session'], createdAt: new Date().toISOString() };
			webhooks.set(webhook.id, webhook);
			return sendJson(res, 201, webhook);
		}
		const id = decodeURIComponent(request.path.slice('/webhooks/'.length));
		if (request.method === 'DELETE' && webhooks.delete(id)) {
			res.writeHead(204).end();
			return;
		}
		return sendJson(res, 404, error('NOT_FOUND', `Webhook ${id} not found`, 'List them with GET /webhooks'));
	}

	return { url: running.url, requests, sent, webhooks, state, failNext: (...failures) => void scripted.push(...failures), close: running.close };
}
