import type { Channel, SendResult } from '../channel/types';
import { senderRuleOf } from '../channel/metaErrors';
import { WhatsAppError, isWhatsAppError } from '../../../contract/errors';
import type { Envelope } from '../message';
import { identityAliases, recipientKey } from '../identity';
import { QUOTA_TTL_SECONDS, quotaResetAt } from '../../../contract/quota';
import { ledgerKeyOf } from '../store/reports';
import { claimable, type LedgerEntry, type StateStore } from '../store/types';
import { Batcher } from './batch';
import { injectFault } from './faults';
import { DepartureWindow, type Pace, SLOT_LEAD_MS, departuresPerSecond, gapMs, paceKey, waitForSlot } from './pace';
import { type RetryPolicy, type Sleep, sleep, withRetries } from './retry';
import { causeOf, errorMessage, type Logger } from '../../../contract/log';

export interface DailyCap {
	limit: number;
	/** The counter, per sender and UTC day (see `dailyCapKey`). */
	key: (now: Date) => string;
}

/**
 * Holds back sends that something outside this execution forbids, such as a template Meta paused (checked before
 * each send is admitted and again right before its request), and learns from refusals that forbid more.
 */
export interface SendGuard {
	/** Why this envelope must not be sent now (the reason its recipient is skipped with), or undefined. */
	blocked(envelope: Envelope): Promise<string | undefined>;
	/** Told of every error a send got from the backend. */
	refused(envelope: Envelope, error: WhatsAppError): Promise<void>;
}

export interface DeliveryConfig {
	campaignId: string;
	/** Skip recipients already sent (or being sent) in this campaign. */
	oncePerRecipient: boolean;
	pace: Pace;
	concurrency: number;
	/** The nodes' own daily count; undefined for none. */
	dailyCap?: DailyCap;
	retry: RetryPolicy;
	guard?: SendGuard;
	/** Retries, refusals and the error that stopped the segment go here (the node's n8n logger). */
	log: Logger;
}

export type Outcome =
	/** Sent: Meta or the container accepted the message (delivery is reported later by the trigger). */
	| ({ recipient: string; attempts: number; ledgerWarning?: string } & SendResult)
	| { status: 'failed'; recipient: string; error: WhatsAppError }
	| { status: 'skipped'; recipient: string; reason: string; resetAt?: string };

/** How long the ledger remembers a campaign. */
export const LEDGER_TTL_SECONDS = 30 * 24 * 60 * 60;
/**
 * How long a claim without a request holds a recipient. A claim is recorded as "request sent" before the request
 * leaves, so a claim still in its first state after a crash or a Redis outage certainly sent nothing: after this
 * time a re-run may send to that recipient.
 */
export const CLAIM_SECONDS = 5 * 60;

const EXECUTION_STOPPED = 'not sent: the execution was stopped';

/** What a recipient left unsent by a stopping error is told. */
export function reasonForStop(error: WhatsAppError): string {
	if (error.kind === 'quota') return `daily quota reached${error.resetAt ? ` (resets at ${error.resetAt})` : ''}`;
	return `not sent: sending stopped after "${error.message}"`;
}

/**
 * A request that was about to leave when another one's answer stopped the sender, or when the execution was stopped:
 * certainly not sent. Not a WhatsAppError: nothing failed, the recipient is skipped with the reason.
 */
class StoppedBeforeSending extends Error {
	constructor(readonly reason: string) {
		super(reason);
	}
}

/** Waiting is interrupted by a stop; whatever waited was certainly not sent. */
const sleepUnlessStopped: Sleep = (ms, signal) =>
	sleep(ms, signal).catch(() => Promise.reject(new StoppedBeforeSending(EXECUTION_STOPPED)));

function skipReasonFor(entry: LedgerEntry): string {
	if (entry.status === 'sent') return `already sent in this campaign${entry.messageId ? ` (message ${entry.messageId})` : ''}`;
	if (entry.status === 'claimed')
		return `not sent: another send of this campaign holds this recipient (until ${new Date(entry.until ?? 0).toISOString()})`;
	return 'unknown — may have been sent: a send to this recipient in this campaign did not report back, so it is not sent again';
}

function asWhatsAppError(error: unknown): WhatsAppError {
	return isWhatsAppError(error)
		? error
		: new WhatsAppError(errorMessage(error), {
				kind: 'ambiguous',
				description: 'An unexpected error interrupted the send',
				fix: "Check the recipient's chat before sending again",
			});
}

/** A recipient cleared to send: its ledger claim and quota reservation, and how to give both back. */
interface Admission {
	recipient: string;
	giveBack: (reason: string) => Promise<void>;
}

/** One segment's sends, phase by phase: admit (ledger, quota), send (slot, request, retries), record (ledger). */
class SegmentSender {
	private readonly ledgerKey: string;
	private readonly senderPace: string;
	private stoppedBy: WhatsAppError | undefined;
	/**
	 * The segment's first request goes alone: a wrong token or a logged-out session then costs one request, not the
	 * hundreds a fast pace would have in flight before the first answer arrives.
	 */
	private firstAnswer: Promise<void> | undefined;
	private readonly departures = new DepartureWindow();
	private readonly claims: Batcher<string, LedgerEntry | undefined>;
	private readonly otherKeys: Batcher<string, LedgerEntry | undefined>;
	private readonly marks: Batcher<string, void>;
	private readonly records: Batcher<{ recipient: string; entry: LedgerEntry }, void>;
	private readonly slots: Batcher<number, number>;

	constructor(
		private readonly channel: Channel,
		private readonly store: StateStore,
		private readonly config: DeliveryConfig,
		private readonly signal?: AbortSignal,
	) {
		const ledgerKey = ledgerKeyOf(channel.backend, channel.senderId, config.campaignId);
		const senderPace = paceKey(channel.backend, channel.senderId);
		this.ledgerKey = ledgerKey;
		this.senderPace = senderPace;
		const record = async (outcomes: Array<{ recipient: string; entry: LedgerEntry }>): Promise<void[]> => {
			await store.recordOutcomes(ledgerKey, outcomes, LEDGER_TTL_SECONDS);
			return [];
		};
		this.claims = new Batcher((recipients) => store.claimRecipients(ledgerKey, recipients, LEDGER_TTL_SECONDS, CLAIM_SECONDS));
		this.otherKeys = new Batcher((keys) => store.ledgerEntries(ledgerKey, keys));
		this.marks = new Batcher((recipients) => {
			const entry: LedgerEntry = { status: 'sending', at: new Date().toISOString() };
			return record(recipients.map((recipient) => ({ recipient, entry })));
		});
		this.records = new Batcher(record);
		// Slots asked for together are booked together: consecutive, a gap apart.
		this.slots = new Batcher(async (gaps) => {
			const first = await store.reserveSlot(senderPace, gaps[0], gaps.length);
			return gaps.map((gap, index) => first + index * gap);
		});
	}

	async run(envelopes: Envelope[]): Promise<Outcome[]> {
		const outcomes: Outcome[] = new Array(envelopes.length);
		let next = 0;
		const worker = async () => {
			while (next < envelopes.length) {
				const index = next++;
				outcomes[index] = await this.deliver(envelopes[index]).catch((error) => {
					// Store failures (Redis down) before the request stop everything: fail closed, nothing was sent.
					const failure = asWhatsAppError(error);
					this.stop(failure);
					return { status: 'failed' as const, recipient: recipientKey(envelopes[index]), error: failure };
				});
			}
		};
		await Promise.all(Array.from({ length: Math.max(1, Math.min(this.config.concurrency, envelopes.length)) }, worker));
		return outcomes;
	}

	private stop(error: WhatsAppError) {
		if (this.stoppedBy) return;
		this.stoppedBy = error;
		this.config.log.warn('WhatsApp segment stopped sending: the recipients left are skipped', {
			campaignId: this.config.campaignId,
			...causeOf(error),
		});
	}

	private throwIfStopped() {
		if (this.stoppedBy) throw new StoppedBeforeSending(reasonForStop(this.stoppedBy));
	}

	private async deliver(envelope: Envelope): Promise<Outcome> {
		const blocked = await this.config.guard?.blocked(envelope);
		if (blocked) return { status: 'skipped', recipient: recipientKey(envelope), reason: blocked };
		const admitted = await this.admit(recipientKey(envelope), otherKeysOf(envelope));
		if ('status' in admitted) return admitted;
		let sent: { value: SendResult; attempts: number };
		try {
			sent = await this.sendWithRetries(envelope, admitted.recipient);
		} catch (error) {
			return await this.unsent(admitted, error);
		}
		return await this.recordSent(admitted.recipient, sent);
	}

	/**
	 * Claims the recipient in the ledger and a message of the daily cap, or says why it is skipped. A person's other
	 * key (their BSUID, recorded when this campaign reached them before their phone was known) blocks as the key does.
	 */
	private async admit(recipient: string, otherKeys: string[]): Promise<Admission | Outcome> {
		const { config, store, ledgerKey } = this;
		if (this.stoppedBy) return { status: 'skipped', recipient, reason: reasonForStop(this.stoppedBy) };
		if (this.signal?.aborted) return { status: 'skipped', recipient, reason: EXECUTION_STOPPED };

		if (config.oncePerRecipient) {
			const earlier = otherKeys.length ? await this.earlierUnderOtherKey(otherKeys) : undefined;
			if (earlier) return { status: 'skipped', recipient, reason: skipReasonFor(earlier) };
			const existing = await this.claims.add(recipient);
			if (existing) return { status: 'skipped', recipient, reason: skipReasonFor(existing) };
		}
		await injectFault('claimed', recipient);
		const release = async (reason: string) => {
			if (config.oncePerRecipient)
				await store.recordOutcome(ledgerKey, recipient, { status: 'failed', at: new Date().toISOString(), reason }, LEDGER_TTL_SECONDS);
		};

		const now = new Date();
		const capKey = config.dailyCap?.key(now);
		if (config.dailyCap && capKey) {
			const reservation = await store.reserveQuota(capKey, config.dailyCap.limit, QUOTA_TTL_SECONDS);
			if (!reservation.granted) {
				const resetAt = quotaResetAt(now).toISOString();
				await release('daily quota reached');
				return {
					status: 'skipped',
					recipient,
					reason: `daily quota reached (${reservation.used}/${config.dailyCap.limit}); resets at ${resetAt}`,
					resetAt,
				};
			}
		}
		return {
			recipient,
			giveBack: async (reason) => {
				await release(reason);
				if (capKey) await store.releaseQuota(capKey);
			},
		};
	}

	private async earlierUnderOtherKey(otherKeys: string[]): Promise<LedgerEntry | undefined> {
		const now = Date.now();
		const entries = await Promise.all(otherKeys.map((key) => this.otherKeys.add(key)));
		return entries.find((entry) => entry && !claimable(entry, now));
	}

	private async sendWithRetries(envelope: Envelope, recipient: string): Promise<{ value: SendResult; attempts: number }> {
		const { config, signal } = this;
		const logRetry = (step: string, error: unknown, delayMs: number) =>
			config.log.info(`WhatsApp ${step} failed; trying again`, { campaignId: config.campaignId, delayMs, ...causeOf(error) });
		const prepared = await withRetries(() => this.channel.prepare(envelope), config.retry, {
			idempotent: true,
			signal,
			beforeRetry: async (error, delayMs) => logRetry('preparing a message', error, delayMs),
		});
		return await withRetries(() => this.attempt(prepared.value, recipient), config.retry, {
			idempotent: false,
			signal,
			wait: sleepUnlessStopped,
			// A throughput error (channel/metaErrors.ts) slows the whole sender down, for every execution; others wait
			// only for this recipient.
			beforeRetry: async (error, delayMs) => {
				logRetry('send', error, delayMs);
				if (senderRuleOf(error)?.pausesSender && config.pace.kind === 'rate') await this.store.pauseSender(this.senderPace, delayMs);
			},
		});
	}

	/** One request: after the segment's first answer, at the sender's pace, recorded as leaving, unless stopped. */
	private async attempt(envelope: Envelope, recipient: string): Promise<SendResult> {
		let answered: (() => void) | undefined;
		if (this.firstAnswer) await this.firstAnswer;
		else this.firstAnswer = new Promise((resolve) => (answered = resolve));
		try {
			await this.takeTurn(envelope, () => this.markRequested(recipient));
			// Counted in the departure window and sent in one synchronous step: no other work comes in between.
			for (let wait = this.roomToLeave(); wait > 0; wait = this.roomToLeave()) await sleepUnlessStopped(wait, this.signal);
			// Checked right before the request: nothing leaves after a stopping answer.
			this.throwIfStopped();
			return await this.channel.send(envelope);
		} catch (error) {
			if (isWhatsAppError(error))
				this.config.log.warn('WhatsApp send failed', {
					campaignId: this.config.campaignId,
					kind: error.kind,
					retryable: error.retryable,
					...causeOf(error),
				});
			// Stopped before any waiting sender moves on.
			if (isWhatsAppError(error) && error.stopsSender) this.stop(error);
			if (isWhatsAppError(error)) await this.config.guard?.refused(envelope, error);
			// The engine throws typed WhatsAppErrors; nodes turn them into NodeApiError with the item index.
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
			throw error;
		} finally {
			answered?.();
		}
	}

	/** Waits for the send's slot at a rate, recording that it leaves (`markRequested`) just before, unless stopped or blocked. */
	private async takeTurn(envelope: Envelope, markRequested: () => Promise<void>) {
		const beforeLeaving = async () => {
			this.throwIfStopped();
			const blocked = await this.config.guard?.blocked(envelope);
			if (blocked) throw new StoppedBeforeSending(blocked);
			await markRequested();
		};
		const { pace } = this.config;
		if (pace.kind !== 'rate') return await beforeLeaving();
		const gap = gapMs(pace);
		await waitForSlot(
			() => this.slots.add(gap),
			(ms) => sleepUnlessStopped(ms, this.signal),
			beforeLeaving,
			this.store.shared ? SLOT_LEAD_MS : 0,
		);
	}

	/** 0 when the send may leave now (and is counted as left), else how long to wait: at a rate, the segment's last second of sends has room. */
	private roomToLeave(): number {
		const { pace } = this.config;
		return pace.kind === 'rate' ? this.departures.leave(departuresPerSecond(pace)) : 0;
	}

	/** From here a request may have left: the ledger says so, and that entry never lapses. */
	private async markRequested(recipient: string) {
		if (this.config.oncePerRecipient) await this.marks.add(recipient);
		await injectFault('requesting', recipient);
	}

	/** A send that did not go through: skipped when it certainly did not leave, else failed. */
	private async unsent({ recipient, giveBack }: Admission, error: unknown): Promise<Outcome> {
		if (error instanceof StoppedBeforeSending) {
			await giveBack(error.reason);
			return { status: 'skipped', recipient, reason: error.reason };
		}
		const failure = asWhatsAppError(error);
		// An ambiguous failure keeps its 'sending' claim (maybe delivered: never again); a certain one frees it.
		if (failure.kind !== 'ambiguous') await giveBack(failure.message);
		if (failure.kind === 'quota')
			return { status: 'skipped', recipient, reason: reasonForStop(failure), ...(failure.resetAt && { resetAt: failure.resetAt }) };
		return { status: 'failed', recipient, error: failure };
	}

	private async recordSent(recipient: string, sent: { value: SendResult; attempts: number }): Promise<Outcome> {
		const outcome = { recipient, attempts: sent.attempts, ...sent.value };
		if (!this.config.oncePerRecipient) return outcome;
		try {
			await injectFault('accepted', recipient);
			await this.records.add({ recipient, entry: { status: 'sent', at: new Date().toISOString(), messageId: sent.value.messageId } });
			return outcome;
		} catch (error) {
			// The message went out; only the record of it is missing (its claim still blocks a second send).
			const failure = asWhatsAppError(error);
			this.stop(failure);
			return { ...outcome, ledgerWarning: `sent, but the campaign ledger could not record it: ${failure.message}` };
		}
	}
}

/** The keys a person may be in the ledger under besides the one this send records (identity.ts). */
function otherKeysOf(envelope: Envelope): string[] {
	const key = recipientKey(envelope);
	return envelope.contact ? identityAliases(envelope.contact).filter((alias) => alias !== key) : [];
}

/**
 * Sends a segment: one envelope per recipient, paced per sender, within the daily cap, at most once per
 * recipient and campaign (ledger claimed before each send), with retries only where a duplicate is impossible.
 * An error that stops the sender (`stopsSender`, set by the backend's error mapping) lets no further request
 * leave: every send checks right before its request. Outcomes come back in input order. Shared state (ledger,
 * quota, pace) lives in the store, so concurrent executions and n8n workers sending from the same sender
 * respect the same limits.
 */
export async function deliverSegment(
	channel: Channel,
	store: StateStore,
	envelopes: Envelope[],
	config: DeliveryConfig,
	signal?: AbortSignal,
): Promise<Outcome[]> {
	return await new SegmentSender(channel, store, config, signal).run(envelopes);
}
