import { isWhatsAppError } from '../../../contract/errors';
import { senderRuleOf } from '../channel/metaErrors';

export interface RetryPolicy {
	/** Attempts in all, the first one included. */
	maxAttempts: number;
	initialBackoffMs: number;
	maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, initialBackoffMs: 1000, maxBackoffMs: 60_000 };

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
	new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason ?? new Error('aborted'));
		};
		signal?.addEventListener('abort', onAbort, { once: true });
	});

/** Whether a failure may be tried again: retryable errors always; an ambiguous one only if repeating is harmless. */
export function mayRetry(error: unknown, idempotent: boolean): boolean {
	if (!isWhatsAppError(error)) return false;
	return error.retryable || (idempotent && error.kind === 'ambiguous');
}

/** Each step grows by the Meta rule's factor (4 on the pair rate limit, channel/metaErrors.ts); everything else doubles. */
function growthFor(error: unknown): number {
	return senderRuleOf(error)?.backoffGrowth ?? 2;
}

/** Exponential backoff with jitter (between half and all of the step), never sooner than Retry-After. */
export function backoffMs(policy: RetryPolicy, attempt: number, error: unknown, random = Math.random): number {
	const step = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * growthFor(error) ** (attempt - 1));
	const jittered = step / 2 + random() * (step / 2);
	const retryAfter = isWhatsAppError(error) ? (error.retryAfterMs ?? 0) : 0;
	return Math.max(jittered, Math.min(retryAfter, policy.maxBackoffMs));
}

export interface Attempted<T> {
	value: T;
	attempts: number;
}

/** Runs `operation` until it succeeds, fails for good, or the attempts run out; the last error is thrown. */
export async function withRetries<T>(
	operation: () => Promise<T>,
	policy: RetryPolicy,
	options: { idempotent: boolean; signal?: AbortSignal; wait?: Sleep; beforeRetry?: (error: unknown, delayMs: number) => Promise<void> },
): Promise<Attempted<T>> {
	const wait = options.wait ?? sleep;
	for (let attempt = 1; ; attempt++) {
		try {
			return { value: await operation(), attempts: attempt };
		} catch (error) {
			if (attempt >= policy.maxAttempts || !mayRetry(error, options.idempotent)) {
				if (isWhatsAppError(error)) error.attempts = attempt;
				// The engine throws typed WhatsAppErrors; nodes turn them into NodeApiError with the item index.
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
				throw error;
			}
			const delayMs = backoffMs(policy, attempt, error);
			await options.beforeRetry?.(error, delayMs);
			await wait(delayMs, options.signal);
		}
	}
}
