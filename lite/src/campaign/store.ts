import { MAX_DELAY_MINUTES } from '../../../contract/limits';
import type { CampaignSettings, QueuedReceiver } from './bulkRequest';

export const RECEIVER_STATES = ['queued', 'sending', 'sent', 'failed', 'skipped', 'unknown'] as const;
/**
 * queued → sending (claimed: pace slot taken; then handed off to WhatsApp) → sent | failed. A receiver found
 * `sending` and handed off after a crash or outage becomes `unknown` ("may have been sent"); one claimed but
 * never handed off goes back to the front of the queue.
 */
export type ReceiverState = (typeof RECEIVER_STATES)[number];

/**
 * What a store step does to one receiver: `enqueue` (queue it again), `claim` (claimNext), `handOff`, an outcome
 * recorded (`record` with state sent | failed | unknown | skipped), `release`, `release` once its campaign was
 * cancelled (`releaseCancelled`), and `cancel` (control).
 */
export type ReceiverEvent =
	| 'enqueue'
	| 'claim'
	| 'handOff'
	| `record ${Exclude<ReceiverState, 'queued' | 'sending'>}`
	| 'release'
	| 'releaseCancelled'
	| 'cancel';

/**
 * The receivers' state machine: per state, the state each step leads to. A step the table leaves out is refused
 * and changes nothing (record answers false, release 'gone', handOff throws, enqueue lists the receiver as already
 * queued, claim takes no one). A receiver enters as `queued` (enqueue). Both stores keep it
 * (lite/test/receiverStates.test.ts); the Redis store's scripts are its Lua side.
 */
export const RECEIVER_TRANSITIONS: Record<ReceiverState, Partial<Record<ReceiverEvent, ReceiverState>>> = {
	queued: { claim: 'sending', cancel: 'skipped' },
	sending: {
		handOff: 'sending',
		'record sent': 'sent',
		'record failed': 'failed',
		'record unknown': 'unknown',
		'record skipped': 'skipped',
		release: 'queued',
		releaseCancelled: 'skipped',
		// In flight: its outcome (or a release) ends it.
		cancel: 'sending',
	},
	sent: { cancel: 'sent' },
	failed: { cancel: 'failed' },
	skipped: { cancel: 'skipped' },
	unknown: { cancel: 'unknown' },
};
export type CampaignState = 'running' | 'paused' | 'cancelled' | 'finished';
export type Counts = Record<ReceiverState, number>;
export type Outcome = { state: 'sent'; messageId: string } | { state: 'failed' | 'unknown' | 'skipped'; reason: string };

export interface ReceiverStatus {
	state: ReceiverState;
	messageId?: string;
	reason?: string;
	updatedAt: string;
}

export interface EnqueueResult {
	queued: number;
	/** Already in the campaign from an earlier request: not queued twice. */
	alreadyQueued: string[];
	/** New receivers refused because the campaign was cancelled. */
	cancelled: string[];
}

export type Claim =
	/** No running campaign has anyone left. */
	| { kind: 'idle' }
	/** The pace: the next send is due in `ms` (the suit's minimum gap, or the gap of the campaign due soonest). */
	| { kind: 'wait'; ms: number }
	/** A campaign with nobody left (finished or cancelled): report it, then `forget` it. */
	| { kind: 'ended'; campaignId: string }
	/** `gapMs`: the campaign gap this claim took (the pace is set from the claim, and again from the send: `PaceFrom`). */
	| { kind: 'claimed'; campaignId: string; receiver: QueuedReceiver; gapMs: number };

/**
 * When WhatsApp took a claimed receiver's message: the suit's pace is measured again from there (never moved
 * earlier), so the gap holds between the messages themselves, not only between the claims before them.
 */
export interface PaceFrom {
	sentAt: number;
	gapMs: number;
}

export interface InFlight {
	campaignId: string;
	receiver: QueuedReceiver;
	handedOff: boolean;
}

export interface CampaignView {
	campaignId: string;
	name?: string;
	state: CampaignState;
	counts: Counts;
	createdAt: string;
	endedAt?: string;
	total: number;
	items: Array<{ recipient: string; userID?: string } & ReceiverStatus>;
}

export type SlotAnswer = { granted: true; slotAt: number } | { granted: false; retryAfterMs: number };

/** What each implementation needs besides its storage. */
export interface CampaignStoreOptions {
	/** The suit's minimum gap between any two sends. */
	minSendGapMs: number;
	/** A campaign's delays are in minutes of this length. */
	delayUnitMs: number;
	/** Campaign keys expire this long after their last change (after the end, for an ended campaign). */
	retentionSeconds: number;
	maxActiveCampaigns: number;
}

/**
 * Campaigns and the suit's pace. Every step that changes a receiver is one atomic script (RedisCampaignStore) or
 * one synchronous block (MemoryCampaignStore), so a crash between two steps leaves each receiver in exactly one
 * recorded state. The pace has two levels: one "next send at" per suit (the WhatsApp-safe minimum gap, MIN_SEND_GAP_MS)
 * that single sends and campaign claims both take, and one per campaign (its own delays), so a campaign's long
 * delays hold back only itself.
 */
export interface CampaignStore {
	/** Queues the receivers not in the campaign yet, all or none. Throws 409 CAMPAIGN_SETTINGS_DIFFER / TOO_MANY_CAMPAIGNS. */
	enqueue(settings: CampaignSettings, receivers: QueuedReceiver[], now: Date): Promise<EnqueueResult>;
	/**
	 * Takes the next receiver of the running campaign due soonest (the oldest of equals) once both the suit's pace and
	 * the campaign's own are due. `random` ∈ [0,1) picks the campaign's next gap, which delays only that campaign.
	 */
	claimNext(now: Date, random: number): Promise<Claim>;
	/** Records that the claimed receiver is being handed to WhatsApp: from here on a crash means "unknown". */
	handOff(campaignId: string, recipient: string): Promise<void>;
	/** The end of a claimed receiver; false when it was recorded before (a repeated call changes nothing). */
	record(campaignId: string, recipient: string, outcome: Outcome, now: Date, paceFrom?: PaceFrom): Promise<boolean>;
	/** A claim that certainly sent nothing goes back to the front of the queue ('skipped' if the campaign was cancelled meanwhile). */
	release(campaignId: string, recipient: string, now: Date): Promise<'queued' | 'skipped' | 'gone'>;
	/** Receivers left `sending` by a crash or an outage (the worker holds none when it asks). */
	inFlight(): Promise<InFlight[]>;
	/** Takes an ended campaign off the active list once its `finished` event is out. */
	forget(campaignId: string): Promise<void>;
	settings(campaignId: string): Promise<CampaignSettings | null>;
	/** pause | resume | cancel; null for an unknown campaign. Cancel returns the receivers it skipped. */
	control(
		campaignId: string,
		action: 'pause' | 'resume' | 'cancel',
		now: Date,
	): Promise<{ state: CampaignState; skipped: QueuedReceiver[] } | null>;
	view(campaignId: string, offset: number, limit: number): Promise<CampaignView | null>;
	/** A single send's pace slot: the earliest time it may go out, unless that is more than maxWaitMs away. */
	reserveSendSlot(now: Date, maxWaitMs: number): Promise<SlotAnswer>;
	/** When the campaign's next message may go out (epoch ms; 0: now): its own pace and the suit's. */
	nextCampaignSendAt(campaignId: string): Promise<number>;
	/** Receivers waiting in running or paused campaigns. */
	depth(): Promise<number>;
}

export const emptyCounts = (): Counts => ({ queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 });

/** The gap after a campaign message, in ms; within the schema's bound even for settings stored before it existed. */
export function campaignGaps(settings: CampaignSettings, delayUnitMs: number): { minGapMs: number; maxGapMs: number } {
	const ms = (minutes: number) =>
		Math.round((Number.isFinite(minutes) ? Math.min(Math.max(minutes, 0), MAX_DELAY_MINUTES) : MAX_DELAY_MINUTES) * delayUnitMs);
	const minGapMs = ms(settings.minDelayMinutes);
	return { minGapMs, maxGapMs: settings.randomDelay ? Math.max(minGapMs, ms(settings.maxDelayMinutes)) : minGapMs };
}

/** Settings compared across the chunks of one campaign: the same JSON whatever the order of the request's keys. */
export function canonicalSettings({ name: _name, ...settings }: CampaignSettings): string {
	const sorted = (value: unknown): unknown => {
		if (Array.isArray(value)) return value.map(sorted);
		if (value && typeof value === 'object')
			return Object.fromEntries(
				Object.keys(value)
					.sort()
					.map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
			);
		return value;
	};
	return JSON.stringify(sorted(settings));
}
