import { timingSafeEqual } from 'node:crypto';
import { loadConfig } from '../../lite/src/config';
import { isApiError } from '../../lite/src/http/errors';
import { outgoingMessage, recipientOf } from '../../lite/src/send/request';
import { type RecordedRequest, sendJson, startServer } from './httpServer';
import Redis from 'ioredis';
import { OptOutGate } from '../../lite/src/optOuts';
import { RedisKv } from '../../lite/src/store/redisKv';
import { type Answer, FakeCampaigns } from './liteCampaigns';
import { LITE_ERROR_CODES } from '../../contract/liteErrors';

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

/** Answers after which every further send of the suit fails the same way (docs/lite-api.md, Errors). */
const STOPPING_CODES = new Set(Object.entries(LITE_ERROR_CODES).flatMap(([code, spec]) => ('concernsSuit' in spec ? [code] : [])));

export const FAKE_SUIT_ID = 'suit-1';
export const QUOTA_RESET_AT = '2030-01-02T00:00:00.000Z';

/**
 * A stand-in for a Lite container per docs/lite-api.md: API key, session state, single sends, campaigns (hand-off,
 * report, pause, resume, cancel), the suit's one daily quota for both, read receipts, webhooks.
 */
export interface FakeLiteContainer {
	url: string;
	requests: RecordedRequest[];
	/** Every message "sent": single sends and campaign messages (those carry their campaignId). */
	sent: Array<Record<string, unknown> & { messageId: string }>;
	/** Registered webhooks by ID (`/webhooks` routes; registering a URL again keeps its ID). */
	webhooks: Map<string, { id: string; url: string; events: string[]; createdAt: string }>;
	/**
	 * `sessionDropsAfter`: the WhatsApp session logs out after this many single sends (then 409 SESSION_NOT_READY).
	 * `storeAvailable`: false answers 503 STORE_UNAVAILABLE where the gateway needs its Redis; `storeDropsAfterHandOffs`
	 * turns it false after this many accepted hand-off requests.
	 */
	state: {
		authenticated: boolean;
		quotaLeft: number;
		quotaUsed: number;
		notOnWhatsApp: string[];
		sessionDropsAfter?: number;
		storeAvailable: boolean;
		storeDropsAfterHandOffs?: number;
	};
	campaigns: FakeCampaigns;
	/** Requests that arrived after the first answer that stops a sender (401, 409, 503, 429 quota) had been written. */
	requestsAfterStop(): RecordedRequest[];
	/** Sends every queued campaign receiver now, as the gateway's worker would over time. */
	runCampaigns(): void;
	/** Reads the suit's opt-out list from this Redis, as a gateway with REDIS_URL and REDIS_KEY_PREFIX does. */
	shareOptOutList(redisUrl: string, keyPrefix: string): void;
	failNext(...failures: LiteScriptedFailure[]): void;
	close(): Promise<void>;
}

const safeEqual = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export async function startFakeLiteContainer(apiKey: string): Promise<FakeLiteContainer> {
	const requests: RecordedRequest[] = [];
	const sent: FakeLiteContainer['sent'] = [];
	const webhooks: FakeLiteContainer['webhooks'] = new Map();
	const state: FakeLiteContainer['state'] = { authenticated: true, quotaLeft: 300, quotaUsed: 0, notOnWhatsApp: [], storeAvailable: true };
	const campaigns = new FakeCampaigns();
	const scripted: LiteScriptedFailure[] = [];
	let stoppedAtRequest: number | undefined;
	let optOutRedis: Redis | undefined;
	const error = (code: string, message: string, fix: string, extra: Record<string, unknown> = {}) => ({
		error: { code, message, fix, ...extra },
	});
	const quota = () => ({ used: state.quotaUsed, limit: state.quotaUsed + state.quotaLeft, resetAt: QUOTA_RESET_AT });
	const takeQuota = () => {
		if (state.quotaLeft <= 0) return false;
		state.quotaLeft--;
		state.quotaUsed++;
		return true;
	};
	const record = (message: Record<string, unknown>) => {
		const number = String(message.number);
		const chatId = number.includes('@') ? number : `${number}@c.us`;
		const messageId = `true_${chatId}_LITE${String(sent.length + 1).padStart(4, '0')}`;
		sent.push({ ...message, messageId });
		return { messageId, chatId };
	};

	const running = await startServer((request, res) => {
		requests.push(request);
		const answer = (status: number, body: unknown) => {
			const code = (body as { error?: { code?: string } })?.error?.code;
			if (code && STOPPING_CODES.has(code)) stoppedAtRequest ??= requests.length;
			sendJson(res, status, body);
		};
		route(request, res, answer);
	});
	function route(request: RecordedRequest, res: Parameters<typeof sendJson>[0], answer: (status: number, body: unknown) => void) {
		if (!safeEqual(String(request.headers.appapikey ?? ''), apiKey)) {
			return answer(401, error('UNAUTHORIZED', 'Invalid API key', "Send the container's API_KEY in the appApiKey header"));
		}
		if (request.method === 'GET' && request.path === '/whatsapp-status') {
			return sendJson(res, 200, {
				authenticated: state.authenticated,
				status: state.authenticated ? 'ready' : 'waiting_for_scan',
				lastAuthenticated: null,
			});
		}
		const body = (request.body ?? {}) as Record<string, unknown>;
		if (request.path.startsWith('/webhooks')) return webhookRoute(request, body, res);
		const campaignRoute = /^\/([^/]+)\/(?:send|campaigns\/([^/]+)(?:\/(pause|resume|cancel))?)$/.exec(request.path);
		if (campaignRoute)
			return campaignRequest(
				request,
				body,
				res,
				answer,
				campaignRoute.slice(1).map((part) => part && decodeURIComponent(part)),
			);
		if (!state.storeAvailable) return answer(503, error('STORE_UNAVAILABLE', 'The gateway cannot reach its Redis', 'Check REDIS_URL'));
		if (!state.authenticated)
			return answer(409, error('SESSION_NOT_READY', 'WhatsApp session is not ready', 'Scan the QR at /whatsapp-login'));
		if (request.method === 'POST' && request.path === '/api/send-message') {
			const number = String(body.number ?? '');
			const refused = refusal(body);
			if (refused) return answer(refused.status, refused.body);
			const failure = scripted.shift();
			if (failure?.kind === 'dropConnection') return void res.socket?.destroy();
			if (failure?.kind === 'bare5xx') return void res.writeHead(failure.status).end();
			if (failure?.kind === 'internal')
				return answer(failure.status, error('INTERNAL', 'Scripted internal error', 'Check the gateway logs'));
			if (state.notOnWhatsApp.includes(number))
				return answer(404, error('NOT_ON_WHATSAPP', `${number} is not on WhatsApp`, 'Check the number'));
			if (!takeQuota())
				return answer(429, error('QUOTA_EXCEEDED', 'Daily quota reached', 'Wait for the reset', { resetAt: QUOTA_RESET_AT }));
			const { messageId, chatId } = record(body);
			if (state.sessionDropsAfter !== undefined && --state.sessionDropsAfter <= 0) state.authenticated = false;
			return answer(200, { success: true, messageId, chatId });
		}
		if (request.method === 'POST' && request.path === '/api/mark-read') {
			if (!body.chatId && !SERIALIZED_ID.test(String(body.messageId ?? ''))) {
				return sendJson(
					res,
					400,
					error(
						'INVALID_REQUEST',
						'chatId is missing (and messageId does not name a chat)',
						'Send the chatId of the message, e.g. 4915123456789@c.us',
					),
				);
			}
			return sendJson(res, 200, { success: true });
		}
		return answer(404, error('NOT_FOUND', `No route ${request.method} ${request.path}`, 'See docs/lite-api.md'));
	}
	function campaignRequest(
		request: RecordedRequest,
		body: Record<string, unknown>,
		res: Parameters<typeof sendJson>[0],
		answer: (status: number, body: unknown) => void,
		[suitId, campaignId, action]: Array<string | undefined>,
	) {
		if (suitId !== FAKE_SUIT_ID)
			return answer(
				400,
				error('INVALID_REQUEST', `This gateway serves suit "${FAKE_SUIT_ID}", not "${suitId}"`, 'Use the SUIT_ID of this gateway'),
			);
		if (!state.storeAvailable) return answer(503, error('STORE_UNAVAILABLE', 'The gateway cannot reach its Redis', 'Check REDIS_URL'));
		if (request.method === 'POST' && !campaignId) {
			return void campaigns.enqueue(body).then(
				(result) => enqueued(result, res, answer),
				() => answer(503, error('STORE_UNAVAILABLE', 'The gateway cannot reach its Redis', 'Check REDIS_URL')),
			);
		}
		if (request.method === 'GET' && campaignId && !action) {
			const result = campaigns.report(campaignId, request.query, quota());
			return answer(result.status, result.body);
		}
		if (request.method === 'POST' && campaignId && action) {
			const result = campaigns.control(campaignId, action);
			return answer(result.status, result.body);
		}
		return answer(404, error('NOT_FOUND', `No route ${request.method} ${request.path}`, 'See docs/lite-api.md'));
	}
	function enqueued(result: Answer, res: Parameters<typeof sendJson>[0], answer: (status: number, body: unknown) => void) {
		if (result.status === 202 && state.storeDropsAfterHandOffs !== undefined && --state.storeDropsAfterHandOffs <= 0)
			state.storeAvailable = false;
		// A scripted dropped connection loses the answer after the receivers were queued (a crash between chunks).
		if (scripted[0]?.kind === 'dropConnection' && result.status === 202) {
			scripted.shift();
			return void res.socket?.destroy();
		}
		return answer(result.status, result.body);
	}
	function webhookRoute(request: RecordedRequest, body: Record<string, unknown>, res: Parameters<typeof sendJson>[0]) {
		if (request.method === 'GET' && request.path === '/webhooks') return sendJson(res, 200, { webhooks: [...webhooks.values()] });
		if (request.method === 'POST' && request.path === '/webhooks') {
			const url = String(body.url ?? '');
			if (!/^https?:\/\//.test(url))
				return sendJson(res, 400, error('INVALID_REQUEST', `url "${url}" must be an http(s) URL`, 'Send the webhook URL'));
			const existing = [...webhooks.values()].find((webhook) => webhook.url === url);
			const webhook = {
				id: existing?.id ?? `wh_${webhooks.size + 1}`,
				url,
				events: (body.events as string[]) ?? ['message', 'message_ack', 'session'],
				createdAt: new Date().toISOString(),
			};
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

	return {
		url: running.url,
		requests,
		sent,
		webhooks,
		state,
		campaigns,
		requestsAfterStop: () => (stoppedAtRequest === undefined ? [] : requests.slice(stoppedAtRequest)),
		runCampaigns: () => campaigns.runQueued((message) => (takeQuota() ? record(message).messageId : undefined)),
		failNext: (...failures) => void scripted.push(...failures),
		shareOptOutList: (redisUrl, keyPrefix) => {
			optOutRedis = new Redis(redisUrl);
			campaigns.optOuts = new OptOutGate(new RedisKv(optOutRedis), FAKE_SUIT_ID, keyPrefix);
		},
		close: async () => {
			await optOutRedis?.quit();
			await running.close();
		},
	};
}
