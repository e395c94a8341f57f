import { isWhatsAppError } from '../../../contract/errors';
import { parseRecipient, type Recipient } from '../../../contract/phone';
import { invalidNumber, invalidRequest, mediaTooLarge, urlNotAllowed } from '../http/errors';
import { numeric, text, z } from '../http/schema';
import { MEDIA_TYPES, type Content, type OutgoingMessage } from '../drivers/types';
import { OutboundPolicy, OutboundRefused } from '../outbound/policy';

/** The settings (config.ts) a message is checked against before anything is queued or sent. */
export interface MessageLimits {
	maxInlineMediaBytes: number;
	maxTextLength: number;
	mediaAllowedHosts: string[];
}

/** Longest URL a request may carry (the outbound policy refuses more than 2048 with URL_NOT_ALLOWED), file name, MIME type, message ID. */
export const MAX_URL = 8192;
const MAX_NAME = 255;
const MAX_MESSAGE_ID = 256;
/** A phone number or group ID: digits and punctuation, or "…@g.us". */
const MAX_RECIPIENT = 64;

/** An optional string field; null and "" mean absent, as the nodes and Notify clients send them. */
const optional = (maxLength: number, rule?: string) =>
	text(maxLength, rule)
		.nullish()
		.transform((value) => value || undefined);

/** A phone number or group ID, as a JSON string (a number, an array or an object is refused). */
export const recipientText = text(
	MAX_RECIPIENT,
	`a string of at most ${MAX_RECIPIENT} characters: the international number with country code, or a group ID ending in @g.us`,
);

/** The message fields of `POST /api/send-message` and of a campaign's UOWHATSAPP object (docs/lite-api.md). */
export function messageFieldsSchema(limits: MessageLimits) {
	const base64 = `base64 of at most ${limits.maxInlineMediaBytes} bytes`;
	return z.object({
		message: optional(limits.maxTextLength, `a string of at most ${limits.maxTextLength} characters (MAX_TEXT_LENGTH)`),
		imageUrl: optional(MAX_URL),
		videoUrl: optional(MAX_URL),
		audioUrl: optional(MAX_URL),
		documentUrl: optional(MAX_URL),
		stickerUrl: optional(MAX_URL),
		media: z
			.object(
				{
					// Its size is checked after the schema: past the limit is a 413, not a 400.
					data: z.string({ message: base64 }).regex(/^[A-Za-z0-9+/]*={0,2}$/, base64),
					mimetype: text(MAX_NAME),
					filename: optional(MAX_NAME),
				},
				{ message: 'an object {"data", "mimetype", "filename"}' },
			)
			.nullish(),
		mediaType: z.enum(MEDIA_TYPES, { message: `one of ${MEDIA_TYPES.join(', ')}` }).optional(),
		filename: optional(MAX_NAME),
		sendAudioAsVoice: z.boolean({ message: 'true or false' }).optional(),
		quotedMessageId: optional(MAX_MESSAGE_ID),
		location: z
			.object(
				{
					latitude: numeric(-90, 90, 'a number between -90 and 90'),
					longitude: numeric(-180, 180, 'a number between -180 and 180'),
					name: optional(1024),
					address: optional(1024),
				},
				{ message: 'an object {"latitude", "longitude", "name", "address"}' },
			)
			.nullish(),
		reaction: z
			.object(
				{
					messageId: text(MAX_MESSAGE_ID).min(1, 'the ID of the message to react to'),
					// An empty emoji takes an earlier reaction back, as on WhatsApp itself.
					emoji: text(32, 'a string (empty removes the reaction)'),
				},
				{ message: 'an object {"messageId", "emoji"}' },
			)
			.nullish(),
	});
}

export type MessageFields = z.infer<ReturnType<typeof messageFieldsSchema>>;

/** A number or group ID, normalised by the nodes' rules; a wrong one is a 400 that names it. */
export function recipientOf(raw: unknown, field: string): Recipient {
	try {
		return parseRecipient(raw, field);
	} catch (error) {
		if (isWhatsAppError(error)) throw invalidNumber(error.message);
		throw error;
	}
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

function mediaContent(fields: MessageFields, limits: MessageLimits): Content | undefined {
	const common = { caption: fields.message, filename: fields.filename, asVoice: fields.sendAudioAsVoice === true };
	const urls = MEDIA_TYPES.filter((type) => fields[`${type}Url`] !== undefined);
	const inline = fields.media;
	if (urls.length + (inline ? 1 : 0) > 1)
		throw invalidRequest('Give one media source: one of imageUrl, videoUrl, audioUrl, documentUrl, stickerUrl or media');
	if (urls.length === 1) {
		const field = `${urls[0]}Url` as const;
		return { kind: 'media', mediaType: urls[0], source: { url: mediaUrl(fields[field]!, field, limits) }, ...common };
	}
	if (!inline) return undefined;
	if (!fields.mediaType) throw invalidRequest(`mediaType is missing: with media, give one of ${MEDIA_TYPES.join(', ')}`);
	const bytes = Buffer.byteLength(inline.data, 'base64');
	if (bytes > limits.maxInlineMediaBytes) {
		throw mediaTooLarge(
			`The inline media has ${bytes} bytes, more than this gateway's limit of ${limits.maxInlineMediaBytes}`,
			'Send the media by URL, or raise MAX_INLINE_MEDIA_BYTES',
		);
	}
	return { kind: 'media', mediaType: fields.mediaType, source: inline, ...common };
}

function content(fields: MessageFields, limits: MessageLimits): Content {
	if (fields.reaction) return { kind: 'reaction', ...fields.reaction };
	if (fields.location) return { kind: 'location', ...fields.location };
	const media = mediaContent(fields, limits);
	if (media) return media;
	if (fields.message === undefined)
		throw invalidRequest('Nothing to send: give message, a media URL (imageUrl, …), media, location or reaction');
	return { kind: 'text', text: fields.message };
}

/** The message of validated fields (a `POST /api/send-message` body, or a campaign's, its text rendered per receiver). */
export function outgoingMessage(fields: MessageFields, limits: MessageLimits): OutgoingMessage {
	return { content: content(fields, limits), quotedMessageId: fields.quotedMessageId };
}
