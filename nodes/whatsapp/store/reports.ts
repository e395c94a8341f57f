import type { Backend } from '../channel/types';
import type { LedgerEntry } from './types';

/**
 * Delivery reports: what became of each campaign message after it left (delivered, read, replied, failed), from
 * the WhatsApp Trigger's status events and replies, kept in the same store as the campaign ledger.
 *
 * Keys (all with the ledger's 30-day TTL unless said otherwise):
 * - `wa_automator:message:{backend}:{messageId}` → MessageRecord: the index message ID → (campaign, recipient)
 *   and that message's delivery state. Written when the ledger marks a recipient sent (Cloud, Lite sent from n8n),
 *   or by the trigger's first ack of a Lite message (container campaigns: the gateway lists the message IDs).
 * - `wa_automator:latest:{backend}:{sender}:{recipient}` → the last tracked message to that person, for
 *   `REPLY_WINDOW_SECONDS`: a message from them without a quoted message counts as a reply to it.
 * - `wa_automator:skipped:{backend}:{sender}:{campaignId}` → recipient → SkipRecord, for skipped sends.
 * - `wa_automator:campaigns:{backend}:{sender}:{YYYYMMDD}` → the campaign IDs sent or handed over that UTC day.
 */

export type DeliveryState = 'sent' | 'delivered' | 'read' | 'failed';

export interface MessageRecord {
	state: DeliveryState;
	campaignId?: string;
	recipient?: string;
	sentAt?: string;
	deliveredAt?: string;
	readAt?: string;
	failedAt?: string;
	repliedAt?: string;
	error?: { code?: number | string; title?: string };
}

export interface SkipRecord {
	reason: string;
	at: string;
}

/** A status event or a reply, as the trigger records it. */
export type DeliveryUpdate =
	| { state: 'sent' | 'delivered' | 'read' | 'replied'; at: string }
	| { state: 'failed'; at: string; error?: MessageRecord['error'] };

/** How long reports live: as long as the campaign ledger (LEDGER_TTL_SECONDS). */
export const REPORT_TTL_SECONDS = 30 * 24 * 60 * 60;

/** A reply without a quoted message counts for the last campaign message to that person within this time. */
export const REPLY_WINDOW_SECONDS = 3 * 24 * 60 * 60;

const PREFIX = 'wa_automator';

/** The campaign ledger of one sender (a hash: recipient → LedgerEntry). */
export const ledgerKeyOf = (backend: Backend, senderId: string, campaignId: string) =>
	`${PREFIX}:campaign:${backend}:${senderId}:${campaignId}`;
export const messageKeyOf = (backend: Backend, messageId: string) => `${PREFIX}:message:${backend}:${messageId}`;
export const latestKeyOf = (backend: Backend, senderId: string, recipient: string) =>
	`${PREFIX}:latest:${backend}:${senderId}:${recipient}`;
export const skippedKeyOf = (backend: Backend, senderId: string, campaignId: string) =>
	`${PREFIX}:skipped:${backend}:${senderId}:${campaignId}`;
export const campaignDayKeyOf = (backend: Backend, senderId: string, day: string) => `${PREFIX}:campaigns:${backend}:${senderId}:${day}`;

/** The parts of a ledger key (the sender never holds a colon; a campaign ID may). */
export function ledgerKeyParts(ledgerKey: string): { backend: Backend; senderId: string; campaignId: string } | undefined {
	const match = /^wa_automator:campaign:(cloud|lite):([^:]+):(.+)$/.exec(ledgerKey);
	return match ? { backend: match[1] as Backend, senderId: match[2], campaignId: match[3] } : undefined;
}

/**
 * The index entries a ledger write brings along: a recipient marked sent with a message ID starts that message's
 * record and becomes the person's latest message. Nothing for any other write.
 */
export function indexOnSent(
	ledgerKey: string,
	recipient: string,
	entry: LedgerEntry,
): { messageKey: string; record: MessageRecord; latestKey: string; messageId: string } | undefined {
	const parts = ledgerKeyParts(ledgerKey);
	if (entry.status !== 'sent' || !entry.messageId || !parts) return undefined;
	return {
		messageKey: messageKeyOf(parts.backend, entry.messageId),
		record: { state: 'sent', campaignId: parts.campaignId, recipient, sentAt: entry.at },
		latestKey: latestKeyOf(parts.backend, parts.senderId, recipient),
		messageId: entry.messageId,
	};
}

const RANK: Record<DeliveryState, number> = { sent: 1, delivered: 2, read: 3, failed: 0 };

/**
 * The record after an update, or undefined when it changes nothing. States only move forward (sent → delivered →
 * read); failed only follows sent; the first reply counts. scripts/reportAdvance.lua is the same rule in Lua.
 */
export function advance(record: MessageRecord, update: DeliveryUpdate): MessageRecord | undefined {
	if (update.state === 'replied') return record.repliedAt ? undefined : { ...record, repliedAt: update.at };
	if (update.state === 'failed')
		return record.state === 'sent'
			? { ...record, state: 'failed', failedAt: update.at, ...(update.error && { error: update.error }) }
			: undefined;
	if (record.state === 'failed' || RANK[update.state] <= RANK[record.state]) return undefined;
	return { ...record, state: update.state, [`${update.state}At`]: update.at };
}

/** The store side of delivery reports; both stores implement it with the same semantics. */
export interface DeliveryReports {
	/**
	 * Applies a status or a reply to a message. An untracked message is ignored, unless `createFor` names its
	 * recipient (Lite: every message of the suit may be a container campaign's); it then becomes that person's
	 * latest message. Returns whether the record changed.
	 */
	update(
		backend: Backend,
		messageId: string,
		update: DeliveryUpdate,
		createFor?: { senderId: string; recipient: string },
	): Promise<boolean>;
	/** The last tracked message to this person within the reply window. */
	latestMessage(backend: Backend, senderId: string, recipient: string): Promise<string | undefined>;
	messages(backend: Backend, messageIds: string[]): Promise<Array<MessageRecord | undefined>>;
	/** Every entry of a campaign ledger, by recipient. */
	ledger(ledgerKey: string): Promise<Map<string, LedgerEntry>>;
	recordSkips(backend: Backend, senderId: string, campaignId: string, skips: Array<{ recipient: string } & SkipRecord>): Promise<void>;
	skips(backend: Backend, senderId: string, campaignId: string): Promise<Map<string, SkipRecord>>;
	/** Notes that a campaign sent (or was handed over) on this UTC day. */
	noteCampaign(backend: Backend, senderId: string, campaignId: string, day: string): Promise<void>;
	campaignsOn(backend: Backend, senderId: string, day: string): Promise<string[]>;
}
