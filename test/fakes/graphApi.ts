import type { ServerResponse } from 'node:http';
import { type FakeTemplate, refuseTemplateSend, templateCategory, templatePage } from './graphTemplates';
import { type RecordedRequest, type RunningServer, type ServerTls, sendJson, startServer } from './httpServer';
import { failedStatusError, metaWebhookBody, postSignedMetaWebhook } from './metaWebhook';

/**
 * A stand-in for Meta's Graph API that follows its documented contract: the send envelope and each type's
 * limits, Meta's success and error shapes, media uploads, throughput and pair rate limits. Every request is
 * recorded for the tests to assert on.
 */
export interface FakeGraphOptions {
	accessToken: string;
	phoneNumberId: string;
	/** Recipients whose 24-hour window is closed: free-form messages to them get 131047. */
	outsideWindow?: string[];
	/** Messages per second the number may send before 130429 (sliding one-second window). */
	messagesPerSecond?: number;
	/** Messages to one recipient allowed within `pairWindowMs` before 131056. */
	pairBurst?: number;
	pairWindowMs?: number;
	/** Added to every answer, to stand in for network and Meta latency. */
	latencyMs?: number;
	/** The WhatsApp Business Account whose `message_templates` are listed (and checked on template sends). */
	businessAccountId?: string;
	templates?: FakeTemplate[];
	/** Meta caps a listing page whatever `limit` asks for; small here so that paging is exercised. */
	maxTemplatePageSize?: number;
	/**
	 * Whether the number accepted the Marketing Messages API's terms; until then `POST /<id>/marketing_messages`
	 * answers 131055 (docs/cloud-api.md, "Marketing Messages API"). Changeable while the fake runs.
	 */
	marketingMessagesTermsAccepted?: boolean;
	/** The `message_status` of accepted template sends (accepted, held_for_quality_assessment, paused). */
	templateMessageStatus?: string;
	/** A Meta app whose webhook subscriptions (`/<app-id>/subscriptions`) take the app token `<id>|<secret>`. */
	app?: { id: string; secret: string };
	/** Media (`GET /<media-id>`, then the returned URL) by media ID. */
	media?: Record<string, { data: Buffer; mimeType: string }>;
	/** Serve HTTPS with this certificate instead of plain HTTP. */
	tls?: ServerTls;
	/** The number `GET /<phone-number-id>` describes. */
	phoneNumber?: { display: string; verifiedName: string };
	/** Loopback port to listen on (default: any free one). */
	port?: number;
	/** Sees every request first (the Cloud API sandbox's own routes); true when it answered. */
	before?: (request: RecordedRequest, response: ServerResponse) => boolean | Promise<boolean>;
}

export interface AppSubscription {
	object: string;
	callback_url: string;
	active: boolean;
	fields: Array<{ name: string; version: string }>;
}

/** A scripted answer for the next send: an error code, a bare 5xx, or a connection dropped after receipt. */
export type ScriptedFailure =
	| { kind: 'error'; code: number; status?: number; message?: string; details?: string; retryAfterSeconds?: number }
	| { kind: 'bare5xx'; status: number }
	| { kind: 'dropConnection' };

export interface FakeGraphApi {
	url: string;
	requests: RecordedRequest[];
	/** The sends Meta accepted, in order; `to` is the phone, or the BSUID of a send by `recipient` alone. */
	accepted: Array<{ to: string; type: string; id: string; body: Record<string, unknown>; endpoint: 'messages' | 'marketing_messages' }>;
	failNext(...failures: ScriptedFailure[]): void;
	/** The media uploads Meta accepted, parsed from their multipart bodies, with the id each was given. */
	uploads: Array<{ id: string; fields: Record<string, string>; file: { fileName: string; contentType: string; data: Buffer } }>;
	options: FakeGraphOptions;
	/** The app's webhook subscriptions, as `GET /<app-id>/subscriptions` lists them. */
	subscriptions: AppSubscription[];
	/** Requests that arrived after the first token error (190) had been answered: a sender must stop before them. */
	requestsAfterTokenError(): RecordedRequest[];
	/** TCP connections clients opened to the fake since it started (kept-alive ones count once). */
	connectionsOpened(): number;
	/**
	 * Reports what became of accepted messages as Meta does: one signed `statuses` webhook to `url` (recipient: its
	 * phone, or `recipient_user_id` for a send to a BSUID; time, pricing; a failure's error). Resolves with the callback's HTTP status.
	 */
	sendStatuses(
		url: string,
		appSecret: string,
		statuses: Array<{ id: string; status: 'sent' | 'delivered' | 'read' | 'failed'; error?: { code: number; title: string } }>,
	): Promise<number>;
	close(): Promise<void>;
}

const BSUID = /^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$/;
const LIMITS = { text: 4096, caption: 1024, buttonTitle: 20, listRows: 10, rowTitle: 24 };

class MetaError extends Error {
	constructor(
		readonly code: number,
		message: string,
		readonly details?: string,
		readonly status = 400,
	) {
		super(message);
	}
}

function metaErrorBody(error: MetaError) {
	return {
		error: {
			message: error.message,
			type: error.code === 190 ? 'OAuthException' : 'OAuthException',
			code: error.code,
			...(error.details && { error_data: { messaging_product: 'whatsapp', details: error.details } }),
			fbtrace_id: 'AbCdEfGhIjK',
		},
	};
}

function mediaChecks(type: string, media: Record<string, unknown>) {
	const hasId = typeof media.id === 'string';
	const hasLink = typeof media.link === 'string';
	if (hasId === hasLink) throw new MetaError(100, '(#100) Invalid parameter', `Param ${type} must contain exactly one of id or link`);
	if (typeof media.caption === 'string' && media.caption.length > LIMITS.caption) {
		throw new MetaError(100, '(#100) Invalid parameter', `Param ${type}['caption'] is too long. Max length is ${LIMITS.caption}.`);
	}
}

/** Meta's interactive Flow message: version 3, the Flow by ID or by name (not both), a CTA, data a non-empty object. */
function flowChecks(action: Record<string, any> | undefined) {
	const parameters = action?.parameters ?? {};
	const invalid = (details: string) => new MetaError(131009, '(#131009) Parameter value is not valid', details);
	if (action?.name !== 'flow' || parameters.flow_message_version !== '3')
		throw invalid('flow action needs name "flow" and flow_message_version "3"');
	if ((parameters.flow_id === undefined) === (parameters.flow_name === undefined))
		throw invalid('Exactly one of flow_id or flow_name is required');
	if (typeof parameters.flow_cta !== 'string' || !parameters.flow_cta) throw invalid('flow_cta is required');
	const data = parameters.flow_action_payload?.data;
	if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data) || !Object.keys(data).length)) {
		throw invalid('flow_action_payload.data must be a non-empty object');
	}
}

function interactiveChecks(interactive: Record<string, any>) {
	if (!interactive?.body?.text) throw new MetaError(131008, '(#131008) Required parameter is missing', 'interactive.body.text is required');
	if (interactive.type === 'button') {
		const buttons = interactive.action?.buttons ?? [];
		if (buttons.length < 1 || buttons.length > 3)
			throw new MetaError(131009, '(#131009) Parameter value is not valid', 'Buttons count should be between 1 and 3');
		const titles = buttons.map((button: any) => button.reply?.title);
		if (titles.some((title: string) => !title || title.length > LIMITS.buttonTitle) || new Set(titles).size !== titles.length) {
			throw new MetaError(131009, '(#131009) Parameter value is not valid', 'Button title length invalid or not unique');
		}
	} else if (interactive.type === 'list') {
		const rows = (interactive.action?.sections ?? []).flatMap((section: any) => section.rows ?? []);
		if (rows.length > LIMITS.listRows)
			throw new MetaError(131009, '(#131009) Parameter value is not valid', 'Total row count exceed max allowed count: 10');
		if (rows.some((row: any) => !row.title || row.title.length > LIMITS.rowTitle)) {
			throw new MetaError(131009, '(#131009) Parameter value is not valid', 'Row title is too long. Max length is 24');
		}
	} else if (interactive.type === 'cta_url') {
		if (interactive.action?.name !== 'cta_url' || !interactive.action?.parameters?.url) {
			throw new MetaError(131009, '(#131009) Parameter value is not valid', 'cta_url action needs parameters.display_text and url');
		}
	} else if (interactive.type === 'flow') {
		flowChecks(interactive.action);
	} else {
		throw new MetaError(100, '(#100) Invalid parameter', `Unknown interactive type ${interactive.type}`);
	}
}

/** Checks a message body the way Meta does, throwing Meta's error for what it refuses. */
export function checkSendBody(body: Record<string, any>) {
	if (body?.messaging_product !== 'whatsapp') throw new MetaError(100, '(#100) The parameter messaging_product is required.');
	// `to` a phone, or `recipient` a BSUID or parent BSUID; with both, `to` wins (docs/cloud-api.md, "Contact identities").
	if (body.to === undefined && body.recipient !== undefined) {
		if (typeof body.recipient !== 'string' || !BSUID.test(body.recipient))
			throw new MetaError(100, '(#100) Invalid parameter', 'Param recipient must be a valid business-scoped user ID');
	} else if (typeof body.to !== 'string' || !/^\d{7,15}$/.test(body.to))
		throw new MetaError(100, '(#100) Invalid parameter', 'Param to must be a valid phone number');
	const type = body.type ?? 'text';
	const content = body[type];
	if (!content) throw new MetaError(100, `(#100) The parameter ${type} is required.`);
	switch (type) {
		case 'text':
			if (typeof content.body !== 'string' || content.body.length === 0)
				throw new MetaError(100, "(#100) The parameter text['body'] is required.");
			if (content.body.length > LIMITS.text)
				throw new MetaError(100, '(#100) Invalid parameter', `Param text['body'] is too long. Max length is ${LIMITS.text}.`);
			break;
		case 'image':
		case 'video':
		case 'audio':
		case 'document':
		case 'sticker':
			mediaChecks(type, content);
			break;
		case 'location':
			if (typeof content.latitude !== 'number' || typeof content.longitude !== 'number')
				throw new MetaError(100, '(#100) Invalid parameter', 'latitude and longitude are required');
			break;
		case 'contacts':
			if (!Array.isArray(content) || content.some((contact: any) => !contact?.name?.formatted_name)) {
				throw new MetaError(131008, '(#131008) Required parameter is missing', 'contacts[].name.formatted_name is required');
			}
			break;
		case 'reaction':
			if (!content.message_id) throw new MetaError(131008, '(#131008) Required parameter is missing', 'reaction.message_id is required');
			break;
		case 'interactive':
			interactiveChecks(content);
			break;
		case 'template':
			break;
		default:
			throw new MetaError(131051, '(#131051) Unsupported message type');
	}
}

type UploadedFile = FakeGraphApi['uploads'][number]['file'];

/** Splits a multipart/form-data body into its text fields and files, as Meta's upload endpoint reads it. */
function parseMultipart(raw: Buffer, boundary: string): { fields: Record<string, string>; files: Record<string, UploadedFile> } {
	const fields: Record<string, string> = {};
	const files: Record<string, UploadedFile> = {};
	const delimiter = Buffer.from(`--${boundary}`);
	let start = raw.indexOf(delimiter);
	while (start !== -1) {
		const next = raw.indexOf(delimiter, start + delimiter.length);
		if (next === -1) break;
		const part = raw.subarray(start + delimiter.length + 2, next - 2);
		const headerEnd = part.indexOf('\r\n\r\n');
		const headers = part.subarray(0, headerEnd).toString('utf8');
		const content = part.subarray(headerEnd + 4);
		const name = /name="([^"]*)"/.exec(headers)?.[1] ?? '';
		const fileName = /filename="([^"]*)"/.exec(headers)?.[1];
		if (fileName === undefined) fields[name] = content.toString('utf8');
		else files[name] = { fileName, contentType: /content-type:\s*(\S+)/i.exec(headers)?.[1] ?? '', data: Buffer.from(content) };
		start = next;
	}
	return { fields, files };
}

export async function startFakeGraphApi(options: FakeGraphOptions): Promise<FakeGraphApi> {
	const requests: RecordedRequest[] = [];
	const accepted: FakeGraphApi['accepted'] = [];
	const scripted: ScriptedFailure[] = [];
	const uploads: FakeGraphApi['uploads'] = [];
	const recentSends: number[] = [];
	const sendsByRecipient = new Map<string, number[]>();
	let counter = 0;

	const withinWindow = (times: number[], windowMs: number, now: number) => {
		while (times.length && times[0] <= now - windowMs) times.shift();
		return times.length;
	};

	const answer = async (res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) => {
		if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
		sendJson(res, status, body, headers);
	};

	/**
	 * The Marketing Messages API's own refusals, before the checks of any send, as Meta's partners document them: a
	 * message that is no template (100), a number that has not accepted the terms (131055), a template that is not a
	 * marketing one (131055 as well).
	 */
	function refuseOnMarketingMessages(body: Record<string, any>) {
		if (body?.type !== 'template') throw new MetaError(100, '(#100) Invalid parameter', 'Message must be a template message.');
		if (!options.marketingMessagesTermsAccepted)
			throw new MetaError(131055, '(#200) You must accept the Marketing Messages Lite API terms to use the API.');
		const category = templateCategory(body.template, options.templates ?? []);
		if (category !== undefined && category !== 'MARKETING')
			throw new MetaError(131055, '(#131055) Method not allowed', 'Only marketing template messages are supported');
	}

	function handleSend(request: RecordedRequest, res: ServerResponse, endpoint: 'messages' | 'marketing_messages') {
		const body = request.body as Record<string, any>;
		if (endpoint === 'marketing_messages') refuseOnMarketingMessages(body);
		else if (body?.status === 'read') {
			if (!body.message_id) throw new MetaError(100, '(#100) The parameter message_id is required.');
			return answer(res, 200, { success: true });
		}
		const failure = scripted.shift();
		if (failure?.kind === 'dropConnection') {
			request.at = Date.now();
			res.socket?.destroy();
			return;
		}
		if (failure?.kind === 'bare5xx') {
			res.writeHead(failure.status);
			res.end();
			return;
		}
		if (failure?.kind === 'error') {
			throw Object.assign(
				new MetaError(failure.code, failure.message ?? `(#${failure.code}) Scripted failure`, failure.details, failure.status ?? 400),
				{
					retryAfterSeconds: failure.retryAfterSeconds,
				},
			);
		}
		checkSendBody(body);
		const refusal = body.type === 'template' ? refuseTemplateSend(body.template, options.templates ?? []) : undefined;
		if (refusal) throw new MetaError(refusal.code, refusal.message, refusal.details);
		const toPhone = typeof body.to === 'string';
		const address: string = toPhone ? body.to : body.recipient;
		if (!toPhone && body.type === 'template' && templateCategory(body.template, options.templates ?? []) === 'AUTHENTICATION') {
			throw new MetaError(131062, '(#131062) Business-scoped User ID recipients are not supported for this message.');
		}
		const now = Date.now();
		if (options.messagesPerSecond && withinWindow(recentSends, 1000, now) >= options.messagesPerSecond) {
			throw new MetaError(130429, '(#130429) Rate limit hit', 'Cloud API message throughput has been reached.');
		}
		if (options.pairBurst) {
			const times = sendsByRecipient.get(address) ?? [];
			sendsByRecipient.set(address, times);
			if (withinWindow(times, options.pairWindowMs ?? 6000, now) >= options.pairBurst) {
				throw new MetaError(
					131056,
					'(#131056) (Business Account, Consumer Account) pair rate limit hit',
					'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
				);
			}
			times.push(now);
		}
		if (body.type !== 'template' && options.outsideWindow?.includes(address)) {
			throw new MetaError(
				131047,
				'Re-engagement message',
				'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
			);
		}
		recentSends.push(now);
		const id = `wamid.TEST${String(++counter).padStart(6, '0')}`;
		accepted.push({ to: address, type: body.type, id, body, endpoint });
		return answer(res, 200, {
			messaging_product: 'whatsapp',
			contacts: [toPhone ? { input: address, wa_id: address } : { input: address, user_id: address }],
			messages: [{ id, ...(body.type === 'template' && { message_status: options.templateMessageStatus ?? 'accepted' }) }],
		});
	}

	function handleUpload(request: RecordedRequest, res: ServerResponse) {
		const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(String(request.headers['content-type'] ?? ''));
		if (!String(request.headers['content-type']).startsWith('multipart/form-data') || !boundary) {
			throw new MetaError(100, '(#100) The parameter messaging_product is required.');
		}
		const { fields, files } = parseMultipart(request.rawBody, boundary[1] ?? boundary[2]);
		if (fields.messaging_product !== 'whatsapp') throw new MetaError(100, '(#100) The parameter messaging_product is required.');
		if (!files.file) throw new MetaError(100, '(#100) The parameter file is required.');
		const id = String(9000000000 + ++counter);
		uploads.push({ id, fields, file: files.file });
		return answer(res, 200, { id });
	}

	const subscriptions: AppSubscription[] = [];

	function handleSubscriptions(request: RecordedRequest, res: ServerResponse) {
		if (request.headers.authorization !== `Bearer ${options.app!.id}|${options.app!.secret}`) {
			throw new MetaError(190, 'Invalid OAuth access token - Cannot parse access token', undefined, 400);
		}
		const body = (request.body ?? {}) as Record<string, any>;
		const object = String(body.object ?? request.query.get('object') ?? '');
		const index = subscriptions.findIndex((subscription) => subscription.object === object);
		if (request.method === 'GET') return answer(res, 200, { data: subscriptions });
		if (request.method === 'DELETE') {
			if (index >= 0) subscriptions.splice(index, 1);
			return answer(res, 200, { success: true });
		}
		if (!body.callback_url || !body.verify_token) throw new MetaError(100, '(#100) Param callback_url and verify_token are required');
		const subscription = {
			object,
			callback_url: body.callback_url,
			active: true,
			fields: String(body.fields)
				.split(',')
				.map((name) => ({ name, version: 'v23.0' })),
		};
		if (index >= 0) subscriptions[index] = subscription;
		else subscriptions.push(subscription);
		return answer(res, 200, { success: true });
	}

	let tokenErrorAtRequest: number | undefined;
	const running: RunningServer = await startServer(
		async (request, res) => {
			if (options.before && (await options.before(request, res))) return;
			requests.push(request);
			try {
				const [, , appId, appEdge] = request.path.split('/');
				if (options.app && appId === options.app.id && appEdge === 'subscriptions') return await handleSubscriptions(request, res);
				if (request.path.startsWith('/media-download/')) {
					if (request.headers.authorization !== `Bearer ${options.accessToken}`) return await answer(res, 401, { error: 'unauthorized' });
					const file = options.media?.[request.path.slice('/media-download/'.length)];
					res.writeHead(file ? 200 : 404, { 'content-type': file?.mimeType ?? 'text/plain' });
					res.end(file?.data ?? 'not found');
					return;
				}
				if (request.headers.authorization !== `Bearer ${options.accessToken}`) {
					throw new MetaError(190, 'Error validating access token: Session has expired.', undefined, 401);
				}
				const [, , objectId, edge] = request.path.split('/');
				const file = options.media?.[objectId];
				if (file && request.method === 'GET') {
					return await answer(res, 200, {
						url: `${running.url}/media-download/${objectId}`,
						mime_type: file.mimeType,
						sha256: 'abc',
						file_size: file.data.length,
						id: objectId,
						messaging_product: 'whatsapp',
					});
				}
				if (request.method === 'GET' && objectId === options.businessAccountId && edge === 'message_templates') {
					const pageUrl = `${running.url}${request.path}?${request.query}`;
					return await answer(res, 200, templatePage(options.templates ?? [], request.query, pageUrl, options.maxTemplatePageSize ?? 4));
				}
				if (objectId !== options.phoneNumberId) {
					throw new MetaError(
						100,
						`Unsupported post request. Object with ID '${objectId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
					);
				}
				if (request.method === 'POST' && (edge === 'messages' || edge === 'marketing_messages'))
					return await handleSend(request, res, edge);
				if (request.method === 'POST' && edge === 'media') return await handleUpload(request, res);
				if (request.method === 'GET' && !edge) {
					const number = options.phoneNumber ?? { display: '+1 555-010-0000', verifiedName: 'Test Business' };
					return await answer(res, 200, {
						id: options.phoneNumberId,
						display_phone_number: number.display,
						verified_name: number.verifiedName,
					});
				}
				throw new MetaError(100, `Unknown path components: /${edge}`);
			} catch (error) {
				if (!(error instanceof MetaError)) throw error;
				const retryAfter = (error as MetaError & { retryAfterSeconds?: number }).retryAfterSeconds;
				await answer(res, error.status, metaErrorBody(error), retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : undefined);
				if (error.code === 190) tokenErrorAtRequest ??= requests.length;
			}
		},
		{ tls: options.tls, port: options.port },
	);

	return {
		url: running.url,
		requests,
		accepted,
		options,
		subscriptions,
		failNext: (...failures) => scripted.push(...failures),
		uploads,
		requestsAfterTokenError: () => (tokenErrorAtRequest === undefined ? [] : requests.slice(tokenErrorAtRequest)),
		connectionsOpened: running.connectionsOpened,
		sendStatuses: async (url, appSecret, statuses) => {
			const timestamp = String(Math.floor(Date.now() / 1000));
			const value = {
				statuses: statuses.map(({ id, status, error }) => {
					const message = accepted.find((sent) => sent.id === id);
					if (!message) throw new Error(`The fake Graph API accepted no message ${id}`);
					const billed = {
						conversation: { id: `CONVERSATION_${message.to}`, origin: { type: 'marketing' } },
						pricing: { billable: true, pricing_model: 'CBP', category: 'marketing' },
					};
					// A send to a BSUID alone: Meta names the recipient by recipient_user_id, the phone withheld.
					const byBsuid = message.body.to === undefined;
					return {
						id,
						status,
						timestamp,
						...(byBsuid ? { recipient_user_id: message.to } : { recipient_id: message.to }),
						...(status === 'failed'
							? { errors: [failedStatusError(error?.code ?? 131000, error?.title ?? 'Something went wrong')] }
							: billed),
					};
				}),
			};
			return await postSignedMetaWebhook(url, metaWebhookBody(value, options.phoneNumberId), appSecret);
		},
		close: running.close,
	};
}
