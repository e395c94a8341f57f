import { WhatsAppError } from '../errors';
import type { Envelope, MessageType, OutboundMessage } from '../message';
import { isMediaMessage } from '../message';
import { recipientAddress } from '../phone';
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
		number: recipientAddress(envelope.to),
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
	kind: 'api' | 'quota';
	description: string;
	fix: string;
	retryable?: boolean;
	/** Every further send of this suit would fail the same way: the segment stops (docs/lite-api.md). */
	stopsSender?: boolean;
	/** Ours instead of the container's fix: the container speaks of its headers, the user fixes it in n8n. */
	keepOurFix?: boolean;
}

/** The gateway's error codes (docs/lite-api.md); the HTTP status only where an older container sends no code. */
const LITE_ERRORS: Record<string, LiteErrorRule> = {
	UNAUTHORIZED: {
		kind: 'api',
		stopsSender: true,
		keepOurFix: true,
		description: 'The Lite container refused the API key',
		fix: 'Check the API key in the WhatsApp Lite Container credential',
	},
	SESSION_NOT_READY: {
		kind: 'api',
		stopsSender: true,
		description: "The Lite container's WhatsApp session is not ready",
		fix: 'Open /whatsapp-login on the container and scan the QR code with the phone',
	},
	STORE_UNAVAILABLE: {
		kind: 'api',
		stopsSender: true,
		description: 'The Lite container cannot reach its Redis, so it sent nothing',
		fix: "Check the container's Redis, then run the workflow again",
	},
	QUOTA_EXCEEDED: {
		kind: 'quota',
		stopsSender: true,
		description: "The suit's daily quota is used up",
		fix: 'Wait for the quota to reset, or raise DAILY_QUOTA on the container',
	},
	PACED: {
		kind: 'api',
		retryable: true,
		description: "The container is pacing this suit's sends and the next free slot was too far away",
		fix: 'Send less at once; the send is tried again after the time the container named',
	},
	NOT_ON_WHATSAPP: {
		kind: 'api',
		description: 'The number is not on WhatsApp',
		fix: 'Check the number, or reach this person on another channel',
	},
	CAMPAIGN_NOT_FOUND: {
		kind: 'api',
		description: 'The Lite container knows no campaign with this ID',
		fix: "Use the campaign ID the sending node returned (each item's campaignId)",
		keepOurFix: true,
	},
	CAMPAIGN_SETTINGS_DIFFER: {
		kind: 'api',
		description: 'This campaign ID was handed over before with another message or other delays',
		fix: 'Use a new Campaign ID for a different message, or the same settings to add recipients',
		keepOurFix: true,
	},
};
const BY_STATUS: Record<number, string> = {
	401: 'UNAUTHORIZED',
	409: 'SESSION_NOT_READY',
	429: 'QUOTA_EXCEEDED',
	503: 'STORE_UNAVAILABLE',
};
const REFUSED: LiteErrorRule = { kind: 'api', description: 'The Lite container refused the request', fix: 'Correct the value it names' };

function liteError(body: unknown, httpStatus: number): WhatsAppError {
	const parsed = (body ?? {}) as LiteErrorBody;
	const error =
		typeof parsed.error === 'object' ? parsed.error : { message: typeof parsed.error === 'string' ? parsed.error : parsed.message };
	const code = error.code ?? BY_STATUS[httpStatus];
	const rule = code !== undefined ? LITE_ERRORS[code] : undefined;
	// A 5xx other than STORE_UNAVAILABLE may come after WhatsApp Web sent the message (docs/lite-api.md): ambiguous.
	if (!rule && httpStatus >= 500) {
		return new WhatsAppError(`Lite container: ${error.message ?? 'internal error'}`, {
			kind: 'ambiguous',
			code: code ?? httpStatus,
			httpStatus,
			description: 'The Lite container had an internal error; the message may have been sent',
			fix: "Check whether the recipient got the message before sending again, and the container's logs",
			backendMessage: error.message,
		});
	}
	const known = rule ?? REFUSED;
	const resetAt = error.resetAt ?? parsed.resetAt;
	return new WhatsAppError(`Lite container: ${error.message ?? known.description}`, {
		kind: known.kind,
		code: code ?? httpStatus,
		retryable: known.retryable,
		stopsSender: known.stopsSender,
		httpStatus,
		retryAfterMs: typeof error.retryAfterMs === 'number' ? error.retryAfterMs : undefined,
		description: resetAt ? `${known.description} (resets at ${resetAt})` : known.description,
		fix: known.keepOurFix ? known.fix : (error.fix ?? known.fix),
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
			waId: answer.chatId?.replace(/@c\.us$/, '') ?? recipientAddress(envelope.to),
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
