import type { InboundEvent, InboundMessageType } from './event';
import { type Json, compact, isObject, isoFromUnix, text, UnexpectedPayload, withSharedKeys } from './normalise';

/** whatsapp-web.js message types → the normalised ones. */
const LITE_TYPES: Record<string, InboundMessageType> = {
	chat: 'text',
	image: 'image',
	video: 'video',
	audio: 'audio',
	ptt: 'audio',
	document: 'document',
	sticker: 'sticker',
	location: 'location',
	vcard: 'contacts',
	multi_vcard: 'contacts',
	buttons_response: 'interactive',
	template_button_reply: 'interactive',
	list_response: 'interactive',
	reaction: 'reaction',
	order: 'order',
};

/** Lite acks → Cloud statuses; a played voice note counts as read, so "read" arrives once. */
const ACK_STATUS: Record<string, string> = { played: 'read' };

/** "4915…@c.us" → "4915…"; digits stay digits; a group ID stays whole. */
function address(value: unknown): string | undefined {
	const id = text(value);
	return id && !id.endsWith('@g.us') ? id.replace(/@.*$/, '') : id;
}

/** FN and TEL lines of a vCard. */
function vcardContact(vcard: string): { name?: string; phones: string[] } {
	const lines = vcard.split(/\r?\n/);
	const value = (line: string) => line.slice(line.indexOf(':') + 1).trim();
	const name = lines.find((line) => /^FN[:;]/i.test(line));
	const waid = (line: string) => /waid=(\d+)/i.exec(line)?.[1];
	const phones = lines.filter((line) => /^(item\d+\.)?TEL[:;]/i.test(line)).map((line) => waid(line) ?? value(line).replace(/[^\d+]/g, ''));
	return compact({ name: name ? value(name) : undefined, phones });
}

/** WhatsApp Web has no business-scoped user IDs: message and status items carry the keys, null. */
const NO_BSUID = { userId: null, parentUserId: null, username: null };

/** What every event of one delivery shares: the suit, the linked account's number when the container knows it, the event ID. */
type LiteBase = Pick<InboundEvent, 'businessNumber' | 'businessDisplayNumber' | 'deliveryId'>;

function messageEvent(data: Json, base: LiteBase): InboundEvent {
	const liteType = text(data.type) ?? '';
	const type = LITE_TYPES[liteType] ?? 'unsupported';
	const body = text(data.body);
	const chat = address(data.chatId) ?? address(data.from);
	const groupId = chat?.endsWith('@g.us') ? chat : undefined;
	const media = isObject(data.media) ? data.media : undefined;
	const location = isObject(data.location) ? data.location : undefined;
	const isMedia = ['image', 'video', 'audio', 'document', 'sticker'].includes(type);
	return compact({
		event: 'message',
		backend: 'lite',
		messageId: text(data.id),
		from: groupId ? address(data.author) : address(data.from),
		...NO_BSUID,
		name: text(data.name),
		...base,
		groupId,
		type,
		text: type === 'contacts' || type === 'location' ? undefined : body,
		media: isMedia
			? compact({
					mimeType: text(media?.mimetype),
					filename: text(media?.filename),
					caption: body,
					voice: liteType === 'ptt' ? true : undefined,
					data: text(media?.data),
				})
			: undefined,
		location: location
			? compact({ latitude: Number(location.latitude), longitude: Number(location.longitude), name: text(location.description) })
			: undefined,
		contacts:
			type === 'contacts' && body
				? body
						.split(/(?=BEGIN:VCARD)/i)
						.filter((card) => card.trim())
						.map(vcardContact)
				: undefined,
		replyTo: text(data.quotedMessageId),
		timestamp: isoFromUnix(data.timestamp),
		raw: media?.data ? { ...data, media: { ...media, data: undefined } } : data,
	});
}

function ackEvent(data: Json, base: LiteBase): InboundEvent {
	const status = text(data.status);
	return compact({
		event: 'status',
		backend: 'lite',
		messageId: text(data.id),
		to: address(data.to),
		...NO_BSUID,
		...base,
		status: status ? (ACK_STATUS[status] ?? status) : undefined,
		timestamp: isoFromUnix(data.timestamp),
		errors: status === 'failed' ? [{ message: 'WhatsApp Web reported the message as failed (ack -1)' }] : undefined,
		raw: data,
	});
}

/** `campaign`: one recipient settled (`sent|failed|skipped|unknown`), or the campaign ended (`finished`, with counts). */
function campaignEvent(data: Json, base: LiteBase, timestamp: unknown): InboundEvent {
	const status = text(data.status);
	const finished = status === 'finished';
	const counts = isObject(data.counts)
		? Object.fromEntries(Object.entries(data.counts).map(([state, count]) => [state, Number(count)]))
		: undefined;
	return compact({
		event: finished ? 'campaignFinished' : 'campaign',
		backend: 'lite',
		messageId: text(data.messageId),
		to: finished ? undefined : address(data.recipient),
		...base,
		status,
		campaign: compact({ id: text(data.campaignId) ?? '', userID: text(data.userID), reason: text(data.reason), counts }),
		timestamp: text(timestamp),
		raw: data,
	});
}

/**
 * A Lite container event (`{id, event, suitId, account?, timestamp, data}`, docs/lite-api.md) as events. Messages the
 * business sent itself (`fromMe`) and event kinds a trigger does not handle give none.
 */
export function normaliseLite(body: unknown): InboundEvent[] {
	return liteEvents(body).map(withSharedKeys);
}

function liteEvents(body: unknown): InboundEvent[] {
	if (!isObject(body) || typeof body.event !== 'string' || !isObject(body.data))
		throw new UnexpectedPayload('expected {event, data} from a Lite container');
	const { data } = body;
	const base = { businessNumber: text(body.suitId) ?? '', businessDisplayNumber: text(body.account), deliveryId: text(body.id) };
	switch (body.event) {
		case 'message':
			return data.fromMe === true ? [] : [messageEvent(data, base)];
		case 'message_ack':
			return [ackEvent(data, base)];
		case 'session':
			return [
				compact({
					event: 'session',
					backend: 'lite',
					...base,
					session: compact({ state: text(data.state) ?? 'unknown', reason: text(data.reason) }),
					timestamp: text(body.timestamp),
					raw: data,
				}),
			];
		case 'campaign':
			return [campaignEvent(data, base, body.timestamp)];
		default:
			return [];
	}
}
