import type { BinaryMedia, Envelope, MessageType } from '../message';
import type { MetaTemplate } from '../templates/metaTemplate';

export type Backend = 'cloud' | 'lite';

export interface SendResult {
	messageId: string;
	/** The recipient as WhatsApp knows it: wa_id digits, or a group chat ID. */
	waId: string;
	backend: Backend;
	status: 'accepted';
	/** Cloud API templates only: accepted, held_for_quality_assessment or paused. */
	messageStatus?: string;
}

export interface ChannelStatus {
	ready: boolean;
	/** Plain-language state for a credential test or a notice. */
	detail: string;
}

export interface Capabilities {
	messageTypes: ReadonlySet<MessageType>;
	groupChats: boolean;
	/** Whether media can be referred to by a WhatsApp media ID (an upload to Meta). */
	mediaIds: boolean;
	typingIndicator: boolean;
	/** How sends are spread: a steady rate (Cloud) or random gaps between messages (Lite). */
	pacing: 'rate' | 'randomDelay';
	/** The daily quota a sender has unless the user sets one; undefined for none. */
	defaultDailyQuota?: number;
}

export interface SendOptions {
	/** The caller already reserved this message in the sender's daily quota (the container must not count it again). */
	quotaReserved?: boolean;
}

/**
 * One backend (Meta's Cloud API or a Lite container). Nodes and the delivery engine only talk to this.
 * Envelopes are validated and adapted to the capabilities before they get here.
 */
export interface Channel {
	readonly backend: Backend;
	readonly capabilities: Capabilities;
	/** The sender this channel speaks for: the phone number ID (Cloud) or the suit ID (Lite). Keys pacing and quota. */
	readonly senderId: string;
	/** Makes media ready to send (Cloud: uploads binary data and refers to it by media ID). Safe to repeat. */
	prepare(envelope: Envelope): Promise<Envelope>;
	/** Sends one prepared message. Not idempotent: the retry policy must not resend an ambiguous failure. */
	send(envelope: Envelope, options?: SendOptions): Promise<SendResult>;
	markAsRead(messageId: string, options: { typingIndicator: boolean; chatId?: string }): Promise<void>;
	uploadMedia(media: BinaryMedia): Promise<string>;
	status(): Promise<ChannelStatus>;
	/** The account's Meta message templates, all pages. Only on backends that can send `template` messages. */
	listTemplates?(): Promise<MetaTemplate[]>;
}
