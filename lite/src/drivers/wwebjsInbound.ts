import { chatAddress, type InboundMessage } from './types';
import { causeOf, type Logger } from '../../../contract/log';

/** The parts of a whatsapp-web.js Message the `message` event needs. */
export interface WwebjsMessage {
	id: { _serialized: string };
	from: string;
	to: string;
	author?: string;
	fromMe: boolean;
	type: string;
	body: string;
	timestamp: number;
	hasMedia: boolean;
	hasQuotedMsg?: boolean;
	location?: { latitude: number | string; longitude: number | string; description?: string };
	_data?: { notifyName?: string };
	downloadMedia?(): Promise<{ mimetype: string; data: string; filename?: string | null } | undefined>;
	getQuotedMessage?(): Promise<{ id: { _serialized: string } } | undefined>;
	react?(emoji: string): Promise<void>;
}

/** A whatsapp-web.js message as `message` event data; media is inlined up to `maxMediaBytes`. */
export async function inboundMessage(message: WwebjsMessage, maxMediaBytes: number, log: Logger): Promise<InboundMessage> {
	const chatId = message.fromMe ? message.to : message.from;
	const event: InboundMessage = {
		id: message.id._serialized,
		from: chatAddress(message.from),
		chatId,
		...(message.author && { author: chatAddress(message.author) }),
		...(message._data?.notifyName && { name: message._data.notifyName }),
		fromMe: message.fromMe,
		type: message.type,
		body: message.body,
		timestamp: message.timestamp,
		hasMedia: message.hasMedia,
	};
	if (message.hasMedia && message.downloadMedia) {
		// Forwarded without its media rather than not at all.
		const media = await message
			.downloadMedia()
			.catch((error: unknown) => log.warn('An incoming media file could not be downloaded', causeOf(error)));
		if (media) {
			const fits = Buffer.byteLength(media.data, 'base64') <= maxMediaBytes;
			event.media = { mimetype: media.mimetype, ...(media.filename && { filename: media.filename }), ...(fits && { data: media.data }) };
		}
	}
	if (message.location) {
		const { latitude, longitude, description } = message.location;
		event.location = { latitude: Number(latitude), longitude: Number(longitude), ...(description && { description }) };
	}
	if (message.hasQuotedMsg && message.getQuotedMessage) {
		const quoted = await message
			.getQuotedMessage()
			.catch((error: unknown) => log.warn('The message an incoming reply quotes could not be read', causeOf(error)));
		if (quoted) event.quotedMessageId = quoted.id._serialized;
	}
	return event;
}
