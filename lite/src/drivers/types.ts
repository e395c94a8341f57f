import type { Session } from './session';

export const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export type MediaSource = { url: string } | { data: string; mimetype: string; filename?: string };

/** What one send carries, independent of the driver. */
export type Content =
	| { kind: 'text'; text: string }
	| { kind: 'media'; mediaType: MediaType; source: MediaSource; caption?: string; filename?: string; asVoice?: boolean }
	| { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string }
	| { kind: 'reaction'; messageId: string; emoji: string };

export interface OutgoingMessage {
	content: Content;
	quotedMessageId?: string;
}

/** `message` event data (docs/lite-api.md). */
export interface InboundMessage {
	id: string;
	from: string;
	chatId: string;
	author?: string;
	name?: string;
	fromMe: boolean;
	type: string;
	body: string;
	timestamp: number;
	hasMedia: boolean;
	media?: { mimetype: string; filename?: string; data?: string };
	location?: { latitude: number; longitude: number; description?: string };
	quotedMessageId?: string;
}

/** `message_ack` event data. */
export interface MessageAck {
	id: string;
	to: string;
	ack: number;
	status: string;
	timestamp: number;
}

const ACK_STATUS: Record<number, string> = { [-1]: 'failed', 0: 'pending', 1: 'sent', 2: 'delivered', 3: 'read', 4: 'played' };

export function messageAck(id: string, chatId: string, ack: number): MessageAck {
	return { id, to: chatAddress(chatId), ack, status: ACK_STATUS[ack] ?? 'pending', timestamp: Math.floor(Date.now() / 1000) };
}

/** "4915…@c.us" → "4915…"; group IDs stay whole. */
export function chatAddress(chatId: string): string {
	return chatId.endsWith('@g.us') ? chatId : chatId.replace(/@.*$/, '');
}

/** What a driver reports besides its session state. */
export interface DriverSink {
	session: Session;
	message(data: InboundMessage): void;
	ack(data: MessageAck): void;
}

/** One WhatsApp connection: the sandbox or whatsapp-web.js. */
export interface Driver {
	start(): Promise<void>;
	stop(): Promise<void>;
	/** The chat ID of a number's WhatsApp account, or null when it has none. */
	numberId(digits: string): Promise<string | null>;
	/** Sends and returns the message ID (for a reaction: the ID of the message reacted to). */
	send(chatId: string, message: OutgoingMessage): Promise<string>;
	markRead(chatId: string, typing: boolean): Promise<void>;
}
