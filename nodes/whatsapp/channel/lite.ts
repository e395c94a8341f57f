import { WhatsAppError } from '../errors';
import type { Envelope, MessageType, OutboundMessage } from '../message';
import { isMediaMessage } from '../message';
import { recipientAddress } from '../phone';
import type { HttpRequest, HttpRequester } from './http';
import { jsonBody } from './http';
import { DEFAULT_DAILY_QUOTA } from '../store/quota';
import type { Capabilities, Channel, ChannelStatus, SendOptions, SendResult } from './types';

export interface LiteConfig {
	url: string;
	suitId: string;
}

/** Sent when the nodes already reserved the message in the suit's quota, so the container does not count it twice. */
export const QUOTA_RESERVED_HEADER = 'x-quota-reserved';

const LITE_TYPES: MessageType[] = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'reaction'];

/** The `POST /api/send-message` body of the Lite contract (README, "Lite container API"). */
export function liteMessagePayload(envelope: Envelope): Record<string, unknown> {
	const { message } = envelope;
	const base = { number: recipientAddress(envelope.to), ...(envelope.replyTo && { quotedMessageId: envelope.replyTo }) };
	if (isMediaMessage(message)) {
		const { media } = message;
		const common = {
			...base,
			...(message.caption && { message: message.caption }),
			...(message.voice && { sendAudioAsVoice: true }),
			...(message.filename && { filename: message.filename }),
		};
		if ('link' in media) return { ...common, [`${message.type}Url`]: media.link };
		if ('binary' in media) {
			return {
				...common,
				mediaType: message.type,
				media: { data: media.binary.data.toString('base64'), mimetype: media.binary.mimeType, filename: message.filename ?? media.binary.fileName },
			};
		}
		throw mediaIdUnsupported();
	}
	return { ...base, ...liteBody(message) };
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

function mediaIdUnsupported(): WhatsAppError {
	return new WhatsAppError('The Lite container cannot send media by WhatsApp media ID', {
		kind: 'capability',
		field: 'Media Source',
		description: 'Media IDs exist only on Meta\'s Cloud API',
		fix: 'Send the media by link or from a binary property',
	});
}

interface LiteErrorBody {
	error?: { code?: string; message?: string; fix?: string; resetAt?: string } | string;
	message?: string;
	resetAt?: string;
}

const LITE_ERRORS: Record<number, { retryable: boolean; description: string; fix: string }> = {
	400: { retryable: false, description: 'The Lite container refused the message', fix: 'Correct the value it names' },
	401: { retryable: false, description: 'The Lite container refused the API key', fix: 'Check the API key in the WhatsApp Lite Container credential' },
	404: { retryable: false, description: 'The number is not on WhatsApp', fix: 'Check the number, or reach this person on another channel' },
	409: { retryable: false, description: 'The Lite container\'s WhatsApp session is not ready', fix: 'Open /whatsapp-login on the container and scan the QR code with the phone' },
	429: { retryable: false, description: 'The suit\'s daily quota is used up', fix: 'Wait for the quota to reset, or raise it on the container' },
};

function liteError(body: unknown, httpStatus: number): WhatsAppError {
	const parsed = (body ?? {}) as LiteErrorBody;
	const error = typeof parsed.error === 'object' ? parsed.error : { message: typeof parsed.error === 'string' ? parsed.error : parsed.message };
	// A 5xx may come after WhatsApp Web sent the message (docs/lite-api.md): ambiguous, resent only where repeating is harmless.
	const internal = httpStatus >= 500;
	const known = LITE_ERRORS[httpStatus] ?? (internal
		? { retryable: false, description: 'The Lite container had an internal error; the message may have been sent', fix: 'Check whether the recipient got the message before sending again, and the container\'s logs' }
		: { retryable: false, description: 'The Lite container refused the request', fix: 'Read its message for what to change' });
	const resetAt = error.resetAt ?? parsed.resetAt;
	const backendMessage = error.message;
	return new WhatsAppError(`Lite container: ${backendMessage ?? known.description}`, {
		kind: httpStatus === 429 ? 'quota' : internal ? 'ambiguous' : 'api',
		code: error.code ?? httpStatus,
		retryable: known.retryable,
		httpStatus,
		description: resetAt ? `${known.description} (resets at ${resetAt})` : known.description,
		// The container's own fix for 401 speaks of its header; the n8n user fixes it in the credential.
		fix: internal || httpStatus === 401 ? known.fix : (error.fix ?? known.fix),
		backendMessage,
	});
}

/** A self-hosted whatsapp-web.js gateway ("Lite container"). */
export class LiteChannel implements Channel {
	readonly backend = 'lite' as const;
	readonly capabilities: Capabilities = { messageTypes: new Set(LITE_TYPES), groupChats: true, mediaIds: false, typingIndicator: true, pacing: 'randomDelay', defaultDailyQuota: DEFAULT_DAILY_QUOTA };
	readonly senderId: string;

	constructor(
		private readonly config: LiteConfig,
		private readonly request: HttpRequester,
	) {
		this.senderId = config.suitId;
	}

	async call<T>(request: Omit<HttpRequest, 'url'> & { path: string }): Promise<T> {
		const { path, ...rest } = request;
		const response = await this.request({ ...rest, url: `${this.config.url.replace(/\/+$/, '')}${path}` });
		const body = jsonBody(response.body);
		if (response.statusCode >= 200 && response.statusCode < 300) return body as T;
		throw liteError(body, response.statusCode);
	}

	async prepare(envelope: Envelope): Promise<Envelope> {
		if (isMediaMessage(envelope.message) && 'id' in envelope.message.media) throw mediaIdUnsupported();
		return envelope;
	}

	async send(envelope: Envelope, options: SendOptions = {}): Promise<SendResult> {
		const answer = await this.call<{ messageId?: string; id?: string; chatId?: string }>({
			method: 'POST',
			path: '/api/send-message',
			body: liteMessagePayload(envelope),
			...(options.quotaReserved && { headers: { [QUOTA_RESERVED_HEADER]: '1' } }),
		});
		const messageId = answer.messageId ?? answer.id;
		if (!messageId) {
			throw new WhatsAppError('The Lite container accepted the request but returned no message ID', {
				kind: 'ambiguous',
				description: 'The answer had no messageId, so it is unknown whether the message was sent',
				fix: 'Check the recipient\'s chat before sending again',
			});
		}
		return { messageId, waId: answer.chatId ?? recipientAddress(envelope.to), backend: this.backend, status: 'accepted' };
	}

	async markAsRead(messageId: string, options: { typingIndicator: boolean; chatId?: string }): Promise<void> {
		await this.call({ method: 'POST', path: '/api/mark-read', body: { messageId, chatId: options.chatId, typing: options.typingIndicator } });
	}

	async uploadMedia(): Promise<string> {
		throw new WhatsAppError('The Lite container has no media upload', {
			kind: 'capability',
			description: 'Media IDs exist only on Meta\'s Cloud API; the Lite container takes media inline',
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
