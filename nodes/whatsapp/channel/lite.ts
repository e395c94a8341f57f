import { WhatsAppError } from '../../../contract/errors';
import { LITE_ERROR_CODES, type LiteErrorCode, isLiteErrorCode } from '../../../contract/liteErrors';
import type { Envelope, MessageType, OutboundMessage } from '../message';
import { isMediaMessage } from '../message';
import { addressOf } from '../identity';
import type { HttpRequest, HttpRequester } from './http';
import { mediaIdUnsupported } from './capabilities';
import { jsonBody } from './http';
import type {
	Capabilities,
	CampaignChunk,
	CampaignReport,
	CampaignSink,
	CampaignState,
	Channel,
	ChannelStatus,
	EnqueueAnswer,
	SendResult,
} from './types';

export interface LiteConfig {
	url: string;
	suitId: string;
}

const LITE_TYPES: MessageType[] = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'reaction'];

/** The `POST /api/send-message` body of the Lite contract (docs/lite-api.md). */
export function liteMessagePayload(envelope: Envelope): Record<string, unknown> {
	return {
		number: addressOf(envelope.to),
		...(envelope.replyTo && { quotedMessageId: envelope.replyTo }),
		...liteMessageFields(envelope.message),
	};
}

/** The message part of a Lite send body; also the message of a campaign's Notify body. */
function liteMessageFields(message: OutboundMessage): Record<string, unknown> {
	if (isMediaMessage(message)) {
		const { media } = message;
		const common = {
			...(message.caption && { message: message.caption }),
			...(message.voice && { sendAudioAsVoice: true }),
			...(message.filename && { filename: message.filename }),
		};
		if ('link' in media) return { ...common, [`${message.type}Url`]: media.link };
		if ('binary' in media) {
			return {
				...common,
				mediaType: message.type,
				media: {
					data: media.binary.data.toString('base64'),
					mimetype: media.binary.mimeType,
					filename: message.filename ?? media.binary.fileName,
				},
			};
		}
		throw mediaIdUnsupported('lite');
	}
	return liteBody(message);
}

/** The Notify body of `POST /{suit_id}/send` (docs/lite-api.md) for one chunk of a campaign. */
function notifyBody(chunk: CampaignChunk): Record<string, unknown> {
	const { message = '', ...fields } = liteMessageFields(chunk.message);
	return {
		UOWHATSAPP: {
			...fields,
			message,
			receivers: chunk.receivers.map(({ recipient, user }) => ({ mobileNum: recipient, ...(user && { user }) })),
			random_delay: chunk.maxDelayMinutes > chunk.minDelayMinutes,
			min_delay: chunk.minDelayMinutes,
			max_delay: chunk.maxDelayMinutes,
			random_string: false,
		},
		campaign_id: chunk.campaignId,
		campaign_name: chunk.campaignName,
	};
}

function liteBody(message: OutboundMessage): Record<string, unknown> {
	switch (message.type) {
		case 'text':
			return { message: message.text };
		case 'location':
			return { location: { latitude: message.latitude, longitude: message.longitude, name: message.name, address: message.address } };
		case 'reaction':
			return { reaction: { messageId: message.messageId, emoji: message.emoji } };
		default:
			throw new Error(`The Lite payload has no form for ${message.type}; capabilities should have refused it`);
	}
}

interface LiteErrorBody {
	error?: { code?: string; message?: string; fix?: string; resetAt?: string; retryAfterMs?: number } | string;
	message?: string;
	resetAt?: string;
}

interface LiteErrorRule {
	kind: 'api' | 'quota' | 'ambiguous';
	description: string;
	retryable?: boolean;
	/** Ours instead of the container's fix: the container speaks of its headers, the user fixes it in n8n. */
	n8nFix?: string;
}

/** What each of the gateway's error codes (contract/liteErrors.ts) means for a send from n8n. */
const LITE_ERRORS: Record<LiteErrorCode, LiteErrorRule> = {
	INVALID_REQUEST: { kind: 'api', description: 'The Lite container refused the request' },
	INVALID_NUMBER: { kind: 'api', description: 'The Lite container refused the phone number' },
	URL_NOT_ALLOWED: { kind: 'api', description: "The Lite container's outbound policy refused the URL" },
	UNAUTHORIZED: {
		kind: 'api',
		description: 'The Lite container refused the API key',
		n8nFix: 'Check the API key in the WhatsApp Lite Container credential',
	},
	NOT_ON_WHATSAPP: { kind: 'api', description: 'The number is not on WhatsApp' },
	NOT_FOUND: { kind: 'api', description: 'The Lite container has no such route or item' },
	CAMPAIGN_NOT_FOUND: {
		kind: 'api',
		description: 'The Lite container knows no campaign with this ID',
		n8nFix: "Use the campaign ID the sending node returned (each item's campaignId)",
	},
	SESSION_NOT_READY: { kind: 'api', description: "The Lite container's WhatsApp session is not ready" },
	CAMPAIGN_SETTINGS_DIFFER: {
		kind: 'api',
		description: 'This campaign ID was handed over before with another message or other delays',
		n8nFix: 'Use a new Campaign ID for a different message, or the same settings to add recipients',
	},
	MEDIA_TOO_LARGE: { kind: 'api', description: 'The media or the request is larger than the Lite container takes' },
	UNSUPPORTED_MEDIA_TYPE: { kind: 'api', description: 'The Lite container takes JSON request bodies only' },
	MEDIA_UNAVAILABLE: { kind: 'api', description: 'The Lite container could not fetch the media URL, so it sent nothing' },
	OPTED_OUT: { kind: 'api', description: "The recipient is on the suit's opt-out list, so the Lite container sent nothing" },
	TOO_MANY_WEBHOOKS: { kind: 'api', description: 'The Lite container has as many webhooks as it allows' },
	QUOTA_EXCEEDED: { kind: 'quota', description: "The suit's daily quota is used up" },
	PACED: {
		kind: 'api',
		retryable: true,
		description: "The container is pacing this suit's sends and the next free slot was too far away",
	},
	TOO_MANY_CAMPAIGNS: { kind: 'api', description: 'The Lite container has as many campaigns queued or paused as it allows' },
	// It may come after WhatsApp Web sent the message (docs/lite-api.md).
	INTERNAL: {
		kind: 'ambiguous',
		description: 'The Lite container had an internal error; the message may have been sent',
		n8nFix: "Check whether the recipient got the message before sending again, and the container's logs",
	},
	STORE_FULL: { kind: 'api', description: "The Lite container's in-process store is full, so it queued nothing" },
	STORE_UNAVAILABLE: { kind: 'api', description: 'The Lite container cannot reach its Redis, so it sent nothing' },
};
/** The code an older container meant when it answered only a status. */
const BY_STATUS: Record<number, LiteErrorCode> = {
	401: 'UNAUTHORIZED',
	409: 'SESSION_NOT_READY',
	429: 'QUOTA_EXCEEDED',
	503: 'STORE_UNAVAILABLE',
};

function liteError(body: unknown, httpStatus: number): WhatsAppError {
	const parsed = (body ?? {}) as LiteErrorBody;
	const error =
		typeof parsed.error === 'object' ? parsed.error : { message: typeof parsed.error === 'string' ? parsed.error : parsed.message };
	const code = error.code ?? BY_STATUS[httpStatus];
	// A code of another compatible container: a refusal, or for a 5xx an internal error (the message may be out).
	const known = isLiteErrorCode(code) ? code : httpStatus >= 500 ? 'INTERNAL' : 'INVALID_REQUEST';
	const rule = LITE_ERRORS[known];
	const contract = LITE_ERROR_CODES[known];
	const resetAt = error.resetAt ?? parsed.resetAt;
	return new WhatsAppError(`Lite container: ${error.message ?? rule.description}`, {
		kind: rule.kind,
		code: code ?? httpStatus,
		retryable: rule.retryable,
		stopsSender: 'concernsSuit' in contract,
		httpStatus,
		retryAfterMs: typeof error.retryAfterMs === 'number' ? error.retryAfterMs : undefined,
		description: resetAt ? `${rule.description} (resets at ${resetAt})` : rule.description,
		fix: rule.n8nFix ?? error.fix ?? contract.fix,
		backendMessage: error.message,
		resetAt,
	});
}

/** A self-hosted whatsapp-web.js gateway ("Lite container"). */
export class LiteChannel implements Channel {
	readonly backend = 'lite' as const;
	readonly capabilities: Capabilities = {
		messageTypes: new Set(LITE_TYPES),
		groupChats: true,
		mediaIds: false,
		bsuids: false,
		typingIndicator: true,
		pacing: 'container',
	};
	readonly senderId: string;
	readonly campaigns: CampaignSink;

	constructor(
		private readonly config: LiteConfig,
		private readonly request: HttpRequester,
	) {
		this.senderId = config.suitId;
		const suit = `/${encodeURIComponent(config.suitId)}`;
		const campaign = (id: string) => `${suit}/campaigns/${encodeURIComponent(id)}`;
		this.campaigns = {
			enqueue: async (chunk) => {
				const answer = await this.call<{
					alreadyQueued?: string[];
					queued?: number;
					skipped?: Array<{ mobileNum?: unknown; reason?: string }>;
				}>({ method: 'POST', path: `${suit}/send`, body: notifyBody(chunk) });
				return {
					queued: Number(answer.queued ?? 0),
					alreadyQueued: (answer.alreadyQueued ?? []).map(String),
					skipped: (answer.skipped ?? []).map((skip) => ({
						recipient: String(skip.mobileNum ?? ''),
						reason: String(skip.reason ?? 'skipped by the container'),
					})),
				} satisfies EnqueueAnswer;
			},
			report: async (id, page) =>
				await this.call<CampaignReport>({ method: 'GET', path: campaign(id), qs: { offset: page.offset, limit: page.limit } }),
			control: async (id, action) =>
				await this.call<{ campaignId: string; state: CampaignState }>({ method: 'POST', path: `${campaign(id)}/${action}` }),
		};
	}

	async call<T>(request: Omit<HttpRequest, 'url'> & { path: string }): Promise<T> {
		const { path, ...rest } = request;
		const response = await this.request({ ...rest, url: `${this.config.url.replace(/\/+$/, '')}${path}` });
		const body = jsonBody(response.body);
		if (response.statusCode >= 200 && response.statusCode < 300) return body as T;
		throw liteError(body, response.statusCode);
	}

	async prepare(envelope: Envelope): Promise<Envelope> {
		if (isMediaMessage(envelope.message) && 'id' in envelope.message.media) throw mediaIdUnsupported('lite');
		return envelope;
	}

	async send(envelope: Envelope): Promise<SendResult> {
		const answer = await this.call<{ messageId?: string; id?: string; chatId?: string }>({
			method: 'POST',
			path: '/api/send-message',
			body: liteMessagePayload(envelope),
		});
		const messageId = answer.messageId ?? answer.id;
		if (!messageId) {
			throw new WhatsAppError('The Lite container accepted the request but returned no message ID', {
				kind: 'ambiguous',
				description: 'The answer had no messageId, so it is unknown whether the message was sent',
				fix: "Check the recipient's chat before sending again",
			});
		}
		// wa_id digits as on the Cloud API: a person's chat `…@c.us` loses its suffix, a group ID stays whole.
		return {
			messageId,
			waId: answer.chatId?.replace(/@c\.us$/, '') ?? addressOf(envelope.to),
			backend: this.backend,
			status: 'accepted',
		};
	}

	async markAsRead(messageId: string, options: { typingIndicator: boolean; chatId?: string }): Promise<void> {
		await this.call({
			method: 'POST',
			path: '/api/mark-read',
			body: { messageId, chatId: options.chatId, typing: options.typingIndicator },
		});
	}

	async uploadMedia(): Promise<string> {
		throw new WhatsAppError('The Lite container has no media upload', {
			kind: 'capability',
			description: "Media IDs exist only on Meta's Cloud API; the Lite container takes media inline",
			fix: 'Send the binary property directly in the message',
		});
	}

	async status(): Promise<ChannelStatus> {
		const answer = await this.call<{ authenticated?: boolean; status?: string }>({ method: 'GET', path: '/whatsapp-status' });
		if (answer.authenticated) return { ready: true, detail: `WhatsApp session ${answer.status ?? 'ready'}` };
		return {
			ready: false,
			detail: `The WhatsApp session is not authenticated (${answer.status ?? 'unknown'}): open ${this.config.url.replace(/\/+$/, '')}/whatsapp-login and scan the QR code with the phone`,
		};
	}
}
