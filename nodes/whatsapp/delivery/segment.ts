import type { Channel, SendResult } from '../channel/types';
import { WhatsAppError, isWhatsAppError } from '../errors';
import type { Envelope } from '../message';
import { recipientAddress } from '../phone';
import { QUOTA_TTL_SECONDS, quotaKey, quotaResetAt } from '../store/quota';
import type { LedgerEntry, StateStore } from '../store/types';
import { type Pace, gapMs, paceKey, waitForSlot } from './pace';
import { type RetryPolicy, type Sleep, sleep, withRetries } from './retry';

export interface DeliveryConfig {
	campaignId: string;
	/** Skip recipients already sent (or being sent) in this campaign. */
	oncePerRecipient: boolean;
	pace: Pace;
	concurrency: number;
	/** Messages per sender and UTC day; undefined for no cap. */
	dailyQuota?: number;
	retry: RetryPolicy;
}

export type Outcome =
	/** Sent: Meta or the container accepted the message (delivery is reported later by the trigger). */
	| ({ recipient: string; attempts: number } & SendResult)
	| { status: 'failed'; recipient: string; error: WhatsAppError }
	| { status: 'skipped'; recipient: string; reason: string; resetAt?: string };

/** How long the ledger remembers a campaign. */
export const LEDGER_TTL_SECONDS = 30 * 24 * 60 * 60;

const THROUGHPUT_LIMIT = 130429;

/** Errors after which every further send from this sender would fail too: sending stops. */
const SENDER_WIDE_CODES = new Set<number | string>([0, 3, 10, 190, 368, 131005, 131031, 131048, 131049, 401, 409, 'REDIS_UNAVAILABLE']);

function stopsTheSegment(error: unknown): boolean {
	return isWhatsAppError(error) && error.code !== undefined && SENDER_WIDE_CODES.has(error.code);
}

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

function skipReasonFor(entry: LedgerEntry): string {
	return entry.status === 'sent'
		? `already sent in this campaign${entry.messageId ? ` (message ${entry.messageId})` : ''}`
		: 'a send to this recipient in this campaign did not report back (it may have arrived), so it is not sent again';
}

/**
 * Sends a segment: one envelope per recipient, paced per sender, within the daily quota, at most once per
 * recipient and campaign (ledger claimed before each send), with retries only where a duplicate is impossible.
 * Outcomes come back in input order. Shared state (ledger, quota, pace) lives in the store, so concurrent
 * executions and n8n workers sending from the same sender respect the same limits.
 */
export async function deliverSegment(
	channel: Channel,
	store: StateStore,
	envelopes: Envelope[],
	config: DeliveryConfig,
	signal?: AbortSignal,
): Promise<Outcome[]> {
	const ledgerKey = `wa_automator:campaign:${channel.backend}:${channel.senderId}:${config.campaignId}`;
	const senderPace = paceKey(channel.backend, channel.senderId);
	const outcomes: Outcome[] = new Array(envelopes.length);
	let stoppedBy: WhatsAppError | undefined;

	const takeSlot = async () => {
		const gap = gapMs(config.pace);
		await waitForSlot(config.pace, () => store.reserveSlot(senderPace, gap), (ms) => sleepUnlessStopped(ms, signal));
		// Random gaps are a minimum between real sends: if the timer woke late, the next slot moves with it.
		if (config.pace.kind === 'randomDelay') await store.pauseSender(senderPace, gap);
	};

	const sendWithRetries = async (envelope: Envelope, quotaReserved: boolean) => {
		const prepared = await withRetries(() => channel.prepare(envelope), config.retry, { idempotent: true, signal });
		return await withRetries(
			async () => {
				await takeSlot();
				return await channel.send(prepared.value, { quotaReserved });
			},
			config.retry,
			{
				idempotent: false,
				signal,
				wait: sleepUnlessStopped,
				// A throughput error slows the whole sender down, for every execution; others wait only for this recipient.
				beforeRetry: async (error, delayMs) => {
					if (isWhatsAppError(error) && error.code === THROUGHPUT_LIMIT) await store.pauseSender(senderPace, delayMs);
				},
			},
		);
	};

	const deliver = async (envelope: Envelope): Promise<Outcome> => {
		const recipient = recipientAddress(envelope.to);
		if (stoppedBy) return { status: 'skipped', recipient, reason: `not sent: sending stopped after "${stoppedBy.message}"` };
		if (signal?.aborted) return { status: 'skipped', recipient, reason: 'not sent: the execution was stopped' };

		if (config.oncePerRecipient) {
			const existing = await store.claimRecipient(ledgerKey, recipient, LEDGER_TTL_SECONDS);
			if (existing) return { status: 'skipped', recipient, reason: skipReasonFor(existing) };
		}
		const release = async (reason: string) => {
			if (config.oncePerRecipient) await store.recordOutcome(ledgerKey, recipient, { status: 'failed', at: new Date().toISOString(), reason }, LEDGER_TTL_SECONDS);
		};

		const now = new Date();
		const dailyKey = quotaKey(channel.senderId, now);
		if (config.dailyQuota !== undefined) {
			const reservation = await store.reserveQuota(dailyKey, config.dailyQuota, QUOTA_TTL_SECONDS);
			if (!reservation.granted) {
				const resetAt = quotaResetAt(now).toISOString();
				await release('daily quota reached');
				return { status: 'skipped', recipient, reason: `daily quota reached (${reservation.used}/${config.dailyQuota}); resets at ${resetAt}`, resetAt };
			}
		}

		try {
			const sent = await sendWithRetries(envelope, config.dailyQuota !== undefined);
			if (config.oncePerRecipient) {
				await store.recordOutcome(ledgerKey, recipient, { status: 'sent', at: new Date().toISOString(), messageId: sent.value.messageId }, LEDGER_TTL_SECONDS);
			}
			return { recipient, attempts: sent.attempts, ...sent.value };
		} catch (error) {
			const failure = isWhatsAppError(error) ? error : new WhatsAppError(String((error as Error)?.message ?? error), { kind: 'ambiguous', description: 'An unexpected error interrupted the send', fix: 'Check the recipient\'s chat before sending again' });
			// An ambiguous failure keeps its 'sending' claim (maybe delivered: never again); a certain one frees it.
			if (failure.kind !== 'ambiguous') {
				await release(failure.message);
				if (config.dailyQuota !== undefined) await store.releaseQuota(dailyKey);
			}
			if (failure.code === EXECUTION_STOPPED) return { status: 'skipped', recipient, reason: 'not sent: the execution was stopped' };
			if (stopsTheSegment(failure)) stoppedBy ??= failure;
			if (failure.kind === 'quota') return { status: 'skipped', recipient, reason: `daily quota reached: ${failure.description}` };
			return { status: 'failed', recipient, error: failure };
		}
	};

	let next = 0;
	const worker = async () => {
		while (next < envelopes.length) {
			const index = next++;
			outcomes[index] = await deliver(envelopes[index]).catch((error) => {
				// Store failures (Redis down) stop everything: fail closed.
				stoppedBy ??= error;
				return { status: 'failed' as const, recipient: recipientAddress(envelopes[index].to), error };
			});
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(config.concurrency, envelopes.length)) }, worker));
	return outcomes;
}
