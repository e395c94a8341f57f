import { WhatsAppError } from '../../../contract/errors';
import type { BinaryMedia, Envelope, MessageType, TemplateCard, TemplateHeader } from '../message';
import { isMediaMessage } from '../message';
import { addressOf } from '../identity';
import { cloudMessagePayload, markAsReadPayload } from './cloudPayload';
import type { HttpRequest, HttpRequester, HttpResponse } from './http';
import { jsonBody, multipartBody, retryAfterMs } from './http';
import { listAllTemplates, type MetaTemplate } from './cloudTemplates';
import { fallbackReason, marketingRoute, refusedByMarketingMessages, type SendEndpoint } from './marketingMessages';
import { metaError } from './metaErrors';
import type { Capabilities, Channel, ChannelStatus, SendResult } from './types';

export interface CloudConfig {
	baseUrl: string;
	apiVersion: string;
	phoneNumberId: string;
	businessAccountId?: string;
}

const ALL_TYPES: MessageType[] = [
	'text',
	'image',
	'video',
	'audio',
	'document',
	'sticker',
	'location',
	'contacts',
	'buttons',
	'list',
	'cta_url',
	'flow',
	'reaction',
	'template',
];

interface MetaSendAnswer {
	/** `wa_id` for a send to a phone, `user_id` for one to a BSUID (docs/cloud-api.md, "Contact identities"). */
	contacts?: Array<{ input?: string; wa_id?: string; user_id?: string }>;
	messages?: Array<{ id?: string; message_status?: string }>;
}

/** Meta's WhatsApp Business Cloud API (Graph API). */
export class CloudChannel implements Channel {
	readonly backend = 'cloud' as const;
	readonly capabilities: Capabilities = {
		messageTypes: new Set(ALL_TYPES),
		groupChats: false,
		mediaIds: true,
		bsuids: true,
		typingIndicator: true,
		pacing: 'rate',
	};
	readonly senderId: string;
	/** Templates (name:language) the Marketing Messages API refused in this execution, with the reason: sent through /messages. */
	private readonly marketingRefusals = new Map<string, string>();

	/**
	 * @param request every call but sends (uploads, listings, status): n8n's request helper
	 * @param sendRequest message sends, which need connection reuse at high rates (keptAliveClient.ts)
	 */
	constructor(
		private readonly config: CloudConfig,
		private readonly request: HttpRequester,
		private readonly sendRequest: HttpRequester = request,
	) {
		this.senderId = config.phoneNumberId;
	}

	/** `https://graph.facebook.com/v23.0/<path>` */
	graphUrl(path: string): string {
		return `${this.config.baseUrl.replace(/\/+$/, '')}/${this.config.apiVersion}/${path.replace(/^\/+/, '')}`;
	}

	/** Calls the Graph API and returns the parsed body, or throws Meta's error as a WhatsAppError. */
	async call<T>(request: Omit<HttpRequest, 'url'> & { path: string }, requester: HttpRequester = this.request): Promise<T> {
		const { path, ...rest } = request;
		const response: HttpResponse = await requester({ ...rest, url: this.graphUrl(path) });
		const body = jsonBody(response.body);
		if (response.statusCode >= 200 && response.statusCode < 300 && !(body as { error?: unknown })?.error) return body as T;
		throw metaError(body, response.statusCode, retryAfterMs(response.headers));
	}

	async prepare(envelope: Envelope): Promise<Envelope> {
		const { message } = envelope;
		if (message.type === 'template') {
			const header = await this.uploadedHeader(message.header);
			return { ...envelope, message: { ...message, header, ...(message.cards && { cards: await this.uploadedCards(message.cards) }) } };
		}
		if (!isMediaMessage(message) || !('binary' in message.media)) return envelope;
		const id = await this.uploadMedia(message.media.binary);
		const filename = message.type === 'document' ? (message.filename ?? message.media.binary.fileName) : message.filename;
		return { ...envelope, message: { ...message, media: { id }, ...(filename && { filename }) } };
	}

	/** A template's binary media header, uploaded and referred to by media ID. */
	private async uploadedHeader(header: TemplateHeader | undefined): Promise<TemplateHeader | undefined> {
		if (!header || header.type === 'text' || !('binary' in header.media)) return header;
		const { binary } = header.media;
		const filename = header.type === 'document' ? (header.filename ?? binary.fileName) : undefined;
		return { ...header, media: { id: await this.uploadMedia(binary) }, ...(filename && { filename }) };
	}

	/** A carousel's binary card headers, uploaded one after the other (in card order, bounded by the card count). */
	private async uploadedCards(cards: TemplateCard[]): Promise<TemplateCard[]> {
		const uploaded: TemplateCard[] = [];
		for (const card of cards) {
			const media = 'binary' in card.header.media ? { id: await this.uploadMedia(card.header.media.binary) } : card.header.media;
			uploaded.push({ ...card, header: { ...card.header, media } });
		}
		return uploaded;
	}

	/**
	 * Sends one message. A marketing template asked to go through the Marketing Messages API goes there; when Meta
	 * refuses it there (131055: nothing was sent) it goes once through /messages, and so do the template's further
	 * sends of this execution. One call either way, so the ledger's claim covers both requests.
	 */
	async send(envelope: Envelope): Promise<SendResult> {
		const route = marketingRoute(envelope.message);
		if (route?.endpoint !== 'marketing_messages') return { ...(await this.sendTo('messages', envelope)), ...route };
		const template = envelope.message.type === 'template' ? `${envelope.message.name}:${envelope.message.language}` : '';
		const refused = this.marketingRefusals.get(template);
		if (refused) return { ...(await this.sendTo('messages', envelope)), endpoint: 'messages', endpointReason: refused };
		try {
			return { ...(await this.sendTo('marketing_messages', envelope)), ...route };
		} catch (error) {
			// Anything but Meta's refusal of the endpoint may have sent the message, or is the message's own fault: it stands.
			// The engine throws typed WhatsAppErrors; nodes turn them into NodeApiError with the item index.
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
			if (!refusedByMarketingMessages(error)) throw error;
			const endpointReason = fallbackReason(error);
			this.marketingRefusals.set(template, endpointReason);
			return { ...(await this.sendTo('messages', envelope)), endpoint: 'messages', endpointReason };
		}
	}

	private async sendTo(endpoint: SendEndpoint, envelope: Envelope): Promise<SendResult> {
		const answer = await this.call<MetaSendAnswer>(
			{ method: 'POST', path: `${this.config.phoneNumberId}/${endpoint}`, body: cloudMessagePayload(envelope) },
			this.sendRequest,
		);
		const sent = answer.messages?.[0];
		if (!sent?.id) {
			throw new WhatsAppError('Meta accepted the request but returned no message ID', {
				kind: 'ambiguous',
				description: 'The answer had no messages[0].id, so it is unknown whether the message was sent',
				fix: "Check the recipient's chat before sending again",
			});
		}
		const contact = answer.contacts?.[0];
		return {
			messageId: sent.id,
			waId: contact?.wa_id ?? contact?.user_id ?? addressOf(envelope.to),
			...(contact?.user_id && { userId: contact.user_id }),
			backend: this.backend,
			status: 'accepted',
			...(sent.message_status && { messageStatus: sent.message_status }),
		};
	}

	async markAsRead(messageId: string, options: { typingIndicator: boolean }): Promise<void> {
		await this.call({
			method: 'POST',
			path: `${this.config.phoneNumberId}/messages`,
			body: markAsReadPayload(messageId, options.typingIndicator),
		});
	}

	async uploadMedia(media: BinaryMedia): Promise<string> {
		const { body, contentType } = multipartBody(
			{ messaging_product: 'whatsapp', type: media.mimeType },
			{ field: 'file', data: media.data, fileName: media.fileName ?? 'file', mimeType: media.mimeType },
		);
		const answer = await this.call<{ id?: string }>({
			method: 'POST',
			path: `${this.config.phoneNumberId}/media`,
			body,
			headers: { 'content-type': contentType },
		});
		if (!answer.id) {
			throw new WhatsAppError('Meta accepted the media upload but returned no media ID', {
				kind: 'api',
				retryable: true,
				description: 'The upload answer had no id',
				fix: 'Try again',
			});
		}
		return answer.id;
	}

	async listTemplates(): Promise<MetaTemplate[]> {
		return await listAllTemplates((request) => this.call(request), this.config.businessAccountId);
	}

	async status(): Promise<ChannelStatus> {
		const phone = await this.call<{ display_phone_number?: string; verified_name?: string }>({
			method: 'GET',
			path: this.config.phoneNumberId,
			qs: { fields: 'display_phone_number,verified_name' },
		});
		return {
			ready: true,
			detail: `Connected to ${phone.verified_name ?? 'WhatsApp'} (${phone.display_phone_number ?? this.config.phoneNumberId})`,
		};
	}
}
