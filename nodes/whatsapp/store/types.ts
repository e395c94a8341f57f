import type { Cluster, Redis } from 'ioredis';
import type { OptOutStore } from './optOuts';
import type { QuotaGrant } from '../../../contract/quota';
import type { DeliveryReports } from './reports';
import type { ContactLinks } from './contacts';
import type { TemplateHealth } from './templateHealth';
import type { OpenQuestions } from './questions';

/** What the campaign ledger knows about one recipient of one campaign. */
export interface LedgerEntry {
	/**
	 * `claimed`: taken by a sender, no request yet (certainly not sent; free again after `until`).
	 * `sending`: a request may have left, outcome not yet known (after a crash "maybe sent": never sent again).
	 */
	status: 'claimed' | 'sending' | 'sent' | 'failed';
	at: string;
	/** `claimed` only: epoch milliseconds after which the claim lapses. */
	until?: number;
	messageId?: string;
	reason?: string;
}

export type DeliveryClaim = 'new' | 'seen';

/** A recipient's place in a campaign's ledger: no entry yet (`none`), an entry's status, or a claim past its `until` (`lapsed`). */
export type LedgerState = 'none' | LedgerEntry['status'] | 'lapsed';

/**
 * The steps of a send that move a ledger entry (delivery/segment.ts): `claim` (claimRecipients), `request` (a request
 * may leave from here), `accepted` (Meta or the container took the message), `giveBack` (certainly not sent: quota,
 * a stop, a certain failure) and `ambiguous` (a failure after which the message may have been delivered).
 */
export type LedgerEvent = 'claim' | 'request' | 'accepted' | 'giveBack' | 'ambiguous';

/**
 * The ledger entries' state machine: per state, where each step leads; a step left out is refused. The stores refuse
 * a claim (scripts/claimRecipients.lua is its Lua side); the other steps are the segment's writes after its own claim.
 * A failed send may be claimed again, and so may a claim that lapsed before any request left; a `sending` entry
 * never lapses, so a message that may have gone out is never sent twice.
 */
export const LEDGER_TRANSITIONS: Record<LedgerState, Partial<Record<LedgerEvent, LedgerState>>> = {
	none: { claim: 'claimed' },
	claimed: { request: 'sending', giveBack: 'failed' },
	lapsed: { claim: 'claimed' },
	sending: { accepted: 'sent', giveBack: 'failed', ambiguous: 'sending' },
	sent: {},
	failed: { claim: 'claimed' },
};

export function ledgerState(entry: LedgerEntry | undefined, now: number): LedgerState {
	if (!entry) return 'none';
	return entry.status === 'claimed' && (entry.until ?? 0) <= now ? 'lapsed' : entry.status;
}

/** Whether a recipient with this entry may be claimed (LEDGER_TRANSITIONS). */
export function claimable(entry: LedgerEntry, now: number): boolean {
	return LEDGER_TRANSITIONS[ledgerState(entry, now)].claim !== undefined;
}

/**
 * State that must hold across executions and, with Redis, across n8n processes and queue-mode workers: daily
 * quota, the campaign ledger, the shared send pace and webhook de-duplication. Redis in production; memory for
 * a single n8n process.
 */
export interface StateStore {
	/** Whether every n8n process sees the same state (Redis), or only this one (memory). */
	readonly shared: boolean;
	/** The opt-out lists of the business numbers (docs/opt-outs.md). */
	readonly optOuts: OptOutStore;
	/** The phone↔BSUID pairs webhooks taught (store/contacts.ts). */
	readonly contacts: ContactLinks;
	/** Templates Meta paused or disabled, which stop the segments sending them (store/templateHealth.ts). */
	readonly templateHealth: TemplateHealth;
	/** The questions Send and Wait for Response is waiting on (store/questions.ts). */
	readonly questions: OpenQuestions;
	/**
	 * Claims every key of one inbound delivery, all or nothing, as pending under `token` for `pendingTtlSeconds`.
	 * Per key: `new` (claimed now) or `seen` (settled by an earlier delivery); `busy` when another delivery still
	 * holds one of the keys pending (then nothing is claimed).
	 */
	claimDelivery(keys: string[], token: string, pendingTtlSeconds: number): Promise<DeliveryClaim[] | 'busy'>;
	/** Makes this delivery's pending claims final, each for its own time. */
	confirmDelivery(claims: Array<{ key: string; ttlSeconds: number }>, token: string): Promise<void>;
	/** Gives back this delivery's pending claims (the hand-over failed: a redelivery is not a duplicate). */
	releaseDelivery(keys: string[], token: string): Promise<void>;
	/** Reserves `count` of a daily quota atomically; nothing is reserved when it would pass the limit. */
	reserveQuota(key: string, limit: number, ttlSeconds: number, count?: number): Promise<QuotaGrant>;
	/** Gives back reservations whose messages were certainly not sent. */
	releaseQuota(key: string, count?: number): Promise<void>;
	/**
	 * Claims recipients of a campaign before sending, for `claimSeconds`, in one round trip. Per recipient, in order:
	 * the existing entry when it was already sent, is being sent or is claimed (so: skip), or undefined when the
	 * claim was taken (a failed entry or a lapsed claim may be claimed again). The ledger lives `ttlSeconds`.
	 */
	claimRecipients(
		ledgerKey: string,
		recipients: string[],
		ttlSeconds: number,
		claimSeconds: number,
	): Promise<Array<LedgerEntry | undefined>>;
	/** Per recipient: their ledger entry, or undefined; reads only (a person's other key, see delivery/segment.ts). */
	ledgerEntries(ledgerKey: string, recipients: string[]): Promise<Array<LedgerEntry | undefined>>;
	recordOutcome(ledgerKey: string, recipient: string, entry: LedgerEntry, ttlSeconds: number): Promise<void>;
	/** Several recipients' entries in one round trip. */
	recordOutcomes(ledgerKey: string, outcomes: Array<{ recipient: string; entry: LedgerEntry }>, ttlSeconds: number): Promise<void>;
	/**
	 * Takes the next `count` send slots of a sender (default one): returns the epoch milliseconds at which the first
	 * of them may start (the others follow `intervalMs` apart), and moves the sender's next free slot after them.
	 * Shared by every execution sending from that sender.
	 */
	reserveSlot(key: string, intervalMs: number, count?: number): Promise<number>;
	/** Pushes the sender's next free slot to at least `pauseMs` from now (after a throughput error). */
	pauseSender(key: string, pauseMs: number): Promise<void>;
	close(): Promise<void>;
	/** Delivery states of campaign messages, skipped sends and campaigns by day (store/reports.ts). */
	readonly reports: DeliveryReports;
}

/** The client of a single Redis or of a Redis Cluster: the Redis stores use only what both offer. */
export type RedisClient = Redis | Cluster;
