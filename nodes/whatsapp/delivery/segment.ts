import type { Channel, SendResult } from '../channel/types';
import { WhatsAppError, isWhatsAppError } from '../errors';
import type { Envelope } from '../message';
import { recipientAddress } from '../phone';
import { QUOTA_TTL_SECONDS, quotaResetAt } from '../store/quota';
import { ledgerKeyOf } from '../store/reports';
import type { LedgerEntry, StateStore } from '../store/types';
import { injectFault } from './faults';
import { type Pace, gapMs, paceKey, waitForSlot } from './pace';
import { type RetryPolicy, type Sleep, sleep, withRetries } from './retry';

export interface DailyCap {
	limit: number;
	/** The counter, per sender and UTC day (see `dailyCapKey`). */
	key: (now: Date) => string;
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

const THROUGHPUT_LIMIT = 130429;
const EXECUTION_STOPPED = 'EXECUTION_STOPPED';

function stoppedBeforeSending(): WhatsAppError {
	return new WhatsAppError('The execution was stopped before this message was sent', {
		kind: 'network',
		code: EXECUTION_STOPPED,
		description: 'Sending stopped with the execution; this recipient was not sent',
		fix: 'Run the campaign again with the same Campaign ID to send to the rest',
	});
}

/** Waiting is interrupted by a stop; whatever waited was certainly not sent. */
const sleepUnlessStopped: Sleep = (ms, signal) => sleep(ms, signal).catch(() => Promise.reject(stoppedBeforeSending()));

/** What a recipient left unsent by a stopping error is told. */
export function reasonForStop(error: WhatsAppError): string {
	if (error.kind === 'quota') return `daily quota reached${error.resetAt ? ` (resets at ${error.resetAt})` : ''}`;
	return `not sent: sending stopped after "${error.message}"`;
}

/** A request that was about to leave when another one's answer stopped the sender: certainly not sent. */
class SenderStopped extends Error {
	constructor(readonly reason: string) {
		super(reason);
	}
}

function skipReasonFor(entry: LedgerEntry): string {
	if (entry.status === 'sent') return `already sent in this campaign${entry.messageId ? ` (message ${entry.messageId})` : ''}`;
	if (entry.status === 'claimed') return `not sent: another send of this campaign holds this recipient (until ${new Date(entry.until ?? 0).toISOString()})`;
	return 'unknown — may have been sent: a send to this recipient in this campaign did not report back, so it is not sent again';
}

function asWhatsAppError(error: unknown): WhatsAppError {
	return isWhatsAppError(error)
		? error
		: new WhatsAppError(String((error as Error)?.message ?? error), { kind: 'ambiguous', description: 'An unexpected error interrupted the send', fix: 'Check the recipient\'s chat before sending again' });
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
	const ledgerKey = ledgerKeyOf(channel.backend, channel.senderId, config.campaignId);
	const senderPace = paceKey(channel.backend, channel.senderId);
	const outcomes: Outcome[] = new Array(envelopes.length);
	let stoppedBy: WhatsAppError | undefined;
	const stop = (error: WhatsAppError) => {
		stoppedBy ??= error;
	};
	const throwIfStopped = () => {
		if (stoppedBy) throw new SenderStopped(reasonForStop(stoppedBy));
	};

	const takeSlot = async () => {
		if (config.pace.kind !== 'rate') return;
		const gap = gapMs(config.pace);
		await waitForSlot(config.pace, () => store.reserveSlot(senderPace, gap), (ms) => sleepUnlessStopped(ms, signal));
	};

	// The segment's first request goes alone: a wrong token or a logged-out session then costs one request, not
	// the hundreds a fast pace would have in flight before the first answer arrives.
	let firstAnswer: Promise<void> | undefined;
	const sendWithRetries = async (envelope: Envelope, markRequested: () => Promise<void>) => {
		const prepared = await withRetries(() => channel.prepare(envelope), config.retry, { idempotent: true, signal });
		return await withRetries(
			async () => {
				let answered: (() => void) | undefined;
				if (firstAnswer) await firstAnswer;
				else firstAnswer = new Promise((resolve) => (answered = resolve));
				try {
					await takeSlot();
					// Checked after the wait for the slot, right before the request: nothing leaves after a stopping answer.
					throwIfStopped();
					await markRequested();
					return await channel.send(prepared.value);
				} catch (error) {
					// Stopped before any waiting sender moves on.
					if (isWhatsAppError(error) && error.stopsSender) stop(error);
					// The engine throws typed WhatsAppErrors; nodes turn them into NodeApiError with the item index.
					// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
					throw error;
				} finally {
					answered?.();
				}
			},
			config.retry,
			{
				idempotent: false,
				signal,
				wait: sleepUnlessStopped,
				// A throughput error slows the whole sender down, for every execution; others wait only for this recipient.
				beforeRetry: async (error, delayMs) => {
					if (isWhatsAppError(error) && error.code === THROUGHPUT_LIMIT && config.pace.kind === 'rate') await store.pauseSender(senderPace, delayMs);
				},
			},
		);
	};

	const deliver = async (envelope: Envelope): Promise<Outcome> => {
		const recipient = recipientAddress(envelope.to);
		if (stoppedBy) return { status: 'skipped', recipient, reason: reasonForStop(stoppedBy) };
		if (signal?.aborted) return { status: 'skipped', recipient, reason: 'not sent: the execution was stopped' };

		if (config.oncePerRecipient) {
			const existing = await store.claimRecipient(ledgerKey, recipient, LEDGER_TTL_SECONDS, CLAIM_SECONDS);
			if (existing) return { status: 'skipped', recipient, reason: skipReasonFor(existing) };
		}
		await injectFault('claimed', recipient);
		const release = async (reason: string) => {
			if (config.oncePerRecipient) await store.recordOutcome(ledgerKey, recipient, { status: 'failed', at: new Date().toISOString(), reason }, LEDGER_TTL_SECONDS);
		};

		const now = new Date();
		const capKey = config.dailyCap?.key(now);
		if (config.dailyCap && capKey) {
			const reservation = await store.reserveQuota(capKey, config.dailyCap.limit, QUOTA_TTL_SECONDS);
			if (!reservation.granted) {
				const resetAt = quotaResetAt(now).toISOString();
				await release('daily quota reached');
				return { status: 'skipped', recipient, reason: `daily quota reached (${reservation.used}/${config.dailyCap.limit}); resets at ${resetAt}`, resetAt };
			}
		}
		const giveBack = async (reason: string) => {
			await release(reason);
			if (capKey) await store.releaseQuota(capKey);
		};

		// From here a request may have left: the ledger says so, and that entry never lapses.
		const markRequested = async () => {
			if (config.oncePerRecipient) await store.recordOutcome(ledgerKey, recipient, { status: 'sending', at: new Date().toISOString() }, LEDGER_TTL_SECONDS);
			await injectFault('requesting', recipient);
		};

		let sent: { value: SendResult; attempts: number };
		try {
			sent = await sendWithRetries(envelope, markRequested);
		} catch (error) {
			if (error instanceof SenderStopped) {
				await giveBack(error.reason);
				return { status: 'skipped', recipient, reason: error.reason };
			}
			const failure = asWhatsAppError(error);
			// An ambiguous failure keeps its 'sending' claim (maybe delivered: never again); a certain one frees it.
			if (failure.kind !== 'ambiguous') await giveBack(failure.message);
			if (failure.code === EXECUTION_STOPPED) return { status: 'skipped', recipient, reason: 'not sent: the execution was stopped' };
			if (failure.kind === 'quota') return { status: 'skipped', recipient, reason: reasonForStop(failure), ...(failure.resetAt && { resetAt: failure.resetAt }) };
			return { status: 'failed', recipient, error: failure };
		}
		const outcome = { recipient, attempts: sent.attempts, ...sent.value };
		if (!config.oncePerRecipient) return outcome;
		try {
			await injectFault('accepted', recipient);
			await store.recordOutcome(ledgerKey, recipient, { status: 'sent', at: new Date().toISOString(), messageId: sent.value.messageId }, LEDGER_TTL_SECONDS);
			return outcome;
		} catch (error) {
			// The message went out; only the record of it is missing (its claim still blocks a second send).
			const failure = asWhatsAppError(error);
			stop(failure);
			return { ...outcome, ledgerWarning: `sent, but the campaign ledger could not record it: ${failure.message}` };
		}
	};

	let next = 0;
	const worker = async () => {
		while (next < envelopes.length) {
			const index = next++;
			outcomes[index] = await deliver(envelopes[index]).catch((error) => {
				// Store failures (Redis down) before the request stop everything: fail closed, nothing was sent.
				const failure = asWhatsAppError(error);
				stop(failure);
				return { status: 'failed' as const, recipient: recipientAddress(envelopes[index].to), error: failure };
			});
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(config.concurrency, envelopes.length)) }, worker));
	return outcomes;
}
