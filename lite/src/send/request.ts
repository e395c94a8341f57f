import { isWhatsAppError } from '../../../nodes/whatsapp/errors';
import { parseRecipient, type Recipient } from '../../../nodes/whatsapp/phone';
import { invalidNumber, invalidRequest, mediaTooLarge, urlNotAllowed } from '../http/errors';
import { MEDIA_TYPES, type Content, type MediaType, type OutgoingMessage } from '../drivers/types';
import { OutboundPolicy, OutboundRefused } from '../outbound/policy';

type Body = Record<string, unknown>;

/** The settings (config.ts) a message is checked against before anything is queued or sent. */
export interface MessageLimits {
	maxInlineMediaBytes: number;
	maxTextLength: number;
	mediaAllowedHosts: string[];
}

/** A number or group ID, normalised by the nodes' rules; a wrong one is a 400 that names it. */
export function recipientOf(raw: unknown, field: string): Recipient {
	try {
		return parseRecipient(raw, field);
	} catch (error) {
		if (isWhatsAppError(error)) throw invalidNumber(error.message);
		throw error;
	}
}

function optionalString(body: Body, field: string): string | undefined {
	const value = body[field];
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string') throw invalidRequest(`${field} must be a string`);
	return value;
}

function requiredString(body: Body, field: string, path = field): string {
	const value = optionalString(body, field);
	if (value === undefined) throw invalidRequest(`${path} is missing`);
	return value;
}

function object(body: Body, field: string): Body | undefined {
	const value = body[field];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest(`${field} must be an object`);
	return value as Body;
}

function coordinate(location: Body, field: 'latitude' | 'longitude', limit: number): number {
	const value = Number(location[field]);
	if (location[field] === undefined || !Number.isFinite(value) || Math.abs(value) > limit) {
		throw invalidRequest(`location.${field} must be a number between -${limit} and ${limit}`);
	}
	return value;
}

/** What the media policy can judge without DNS (scheme, a literal or loopback host); the fetch checks the rest. */
function mediaUrl(value: string, field: string, limits: MessageLimits): string {
	try {
		OutboundPolicy.media(limits.mediaAllowedHosts).checkUrl(value);
	} catch (error) {
		if (error instanceof OutboundRefused) throw urlNotAllowed(field, error, 'MEDIA_ALLOWED_HOSTS');
		throw error;
	}
	return value;
}

/** The message text (or caption), at most MAX_TEXT_LENGTH characters. */
function messageText(body: Body, limits: MessageLimits): string | undefined {
	const text = optionalString(body, 'message');
	if (text !== undefined && text.length > limits.maxTextLength) {
		throw invalidRequest(
			`message has ${text.length} characters, more than this gateway's limit of ${limits.maxTextLength}`,
			'Shorten the message or split it into several, or raise MAX_TEXT_LENGTH',
		);
	}
	return text;
}

function mediaContent(body: Body, limits: MessageLimits): Content | undefined {
	const caption = messageText(body, limits);
	const common = { caption, filename: optionalString(body, 'filename'), asVoice: body.sendAudioAsVoice === true };
	const urls = MEDIA_TYPES.filter((type) => optionalString(body, `${type}Url`) !== undefined);
	const inline = object(body, 'media');
	if (urls.length + (inline ? 1 : 0) > 1)
		throw invalidRequest('Give one media source: one of imageUrl, videoUrl, audioUrl, documentUrl, stickerUrl or media');
	if (urls.length === 1) {
		const field = `${urls[0]}Url`;
		return { kind: 'media', mediaType: urls[0], source: { url: mediaUrl(requiredString(body, field), field, limits) }, ...common };
	}
	if (!inline) return undefined;
	const mediaType = requiredString(body, 'mediaType') as MediaType;
	if (!MEDIA_TYPES.includes(mediaType)) throw invalidRequest(`mediaType "${mediaType}" must be one of ${MEDIA_TYPES.join(', ')}`);
	const data = requiredString(inline, 'data', 'media.data');
	if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw invalidRequest('media.data must be base64');
	const bytes = Buffer.byteLength(data, 'base64');
	if (bytes > limits.maxInlineMediaBytes) {
		throw mediaTooLarge(
			`The inline media has ${bytes} bytes, more than this gateway's limit of ${limits.maxInlineMediaBytes}`,
			'Send the media by URL, or raise MAX_INLINE_MEDIA_BYTES',
		);
	}
	const source = { data, mimetype: requiredString(inline, 'mimetype', 'media.mimetype'), filename: optionalString(inline, 'filename') };
	return { kind: 'media', mediaType, source, ...common };
}

function content(body: Body, limits: MessageLimits): Content {
	const reaction = object(body, 'reaction');
	if (reaction) {
		// An empty emoji takes an earlier reaction back, as on WhatsApp itself.
		if (typeof reaction.emoji !== 'string') throw invalidRequest('reaction.emoji must be a string (empty removes the reaction)');
		return { kind: 'reaction', messageId: requiredString(reaction, 'messageId', 'reaction.messageId'), emoji: reaction.emoji };
	}
	const location = object(body, 'location');
	if (location) {
		return {
			kind: 'location',
			latitude: coordinate(location, 'latitude', 90),
			longitude: coordinate(location, 'longitude', 180),
			name: optionalString(location, 'name'),
			address: optionalString(location, 'address'),
		};
	}
	const media = mediaContent(body, limits);
	if (media) return media;
	const text = messageText(body, limits);
	if (text === undefined) throw invalidRequest('Nothing to send: give message, a media URL (imageUrl, …), media, location or reaction');
	return { kind: 'text', text };
}

/** The message of a `POST /api/send-message` body (or of a campaign, whose text is rendered per receiver). */
export function outgoingMessage(body: Body, limits: MessageLimits): OutgoingMessage {
	return { content: content(body, limits), quotedMessageId: optionalString(body, 'quotedMessageId') };
}
