import type { BinaryMedia, Envelope, MessageType, OutboundMessage } from '../message';
import type { MetaTemplate } from './cloudTemplates';
import type { SendEndpoint } from './marketingMessages';

export type Backend = 'cloud' | 'lite';

export interface SendResult {
	messageId: string;
	/** The recipient as WhatsApp knows it: wa_id digits, a BSUID (a send to one), or a group chat ID. */
	waId: string;
	/** Cloud: the BSUID Meta answered for a send to a BSUID (`contacts[].user_id`). */
	userId?: string;
	backend: Backend;
	status: 'accepted';
	/** Cloud API templates only: accepted, held_for_quality_assessment or paused. */
	messageStatus?: string;
	/** Cloud, a template asked to go through the Marketing Messages API: the endpoint that carried it (marketingMessages.ts). */
	endpoint?: SendEndpoint;
	/** Why it went through /messages instead. */
	endpointReason?: string;
	/** The time-to-live of a template sent through the Marketing Messages API, as far as known. */
	timeToLive?: string;
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
	/** Whether a business-scoped user ID (BSUID) can be sent to (Meta's `recipient`). */
	bsuids: boolean;
	typingIndicator: boolean;
	/** Who spreads the sends: the nodes at a steady rate (Cloud), or the container for every send of its suit (Lite). */
	pacing: 'rate' | 'container';
}

export interface CampaignReceiver {
	/** Digits with country code, or a group chat ID. */
	recipient: string;
	/** Values for the campaign message's `{{user.…}}` placeholders. */
	user?: Record<string, unknown>;
}

/** One request of a hand-off: the campaign's one message and up to 1,000 of its receivers. */
export interface CampaignChunk {
	campaignId: string;
	campaignName: string;
	/** Text or media by URL; its text may hold `{{user.…}}` placeholders. */
	message: OutboundMessage;
	receivers: CampaignReceiver[];
	minDelayMinutes: number;
	maxDelayMinutes: number;
}

export interface EnqueueAnswer {
	/** Newly queued by this request. */
	queued: number;
	/** Queued by an earlier request of the same campaign: not queued twice. */
	alreadyQueued: string[];
	skipped: Array<{ recipient: string; reason: string }>;
}

export type CampaignState = 'running' | 'paused' | 'cancelled' | 'finished';
/** A report's state: also `paused (quota)`, a running campaign held until the suit's daily quota resets. */
export type CampaignReportState = CampaignState | 'paused (quota)';

export interface CampaignReport {
	campaignId: string;
	name?: string;
	state: CampaignReportState;
	counts: Record<'queued' | 'sending' | 'sent' | 'failed' | 'skipped' | 'unknown', number>;
	nextSendAt: string | null;
	quota?: { used: number; limit: number; resetAt: string };
	recipients: { offset: number; limit: number; total: number; items: Array<Record<string, unknown>> };
}

/** A backend that sends campaigns itself: it takes a segment and paces it durably (the Lite container). */
export interface CampaignSink {
	enqueue(chunk: CampaignChunk): Promise<EnqueueAnswer>;
	/** The campaign's state and one page of its recipients. */
	report(campaignId: string, page: { offset: number; limit: number }): Promise<CampaignReport>;
	control(campaignId: string, action: 'pause' | 'resume' | 'cancel'): Promise<{ campaignId: string; state: CampaignState }>;
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
	send(envelope: Envelope): Promise<SendResult>;
	markAsRead(messageId: string, options: { typingIndicator: boolean; chatId?: string }): Promise<void>;
	uploadMedia(media: BinaryMedia): Promise<string>;
	status(): Promise<ChannelStatus>;
	/** The account's Meta message templates, all pages. Only on backends that can send `template` messages. */
	listTemplates?(): Promise<MetaTemplate[]>;
	/** Only on backends that run campaigns themselves. */
	readonly campaigns?: CampaignSink;
}
