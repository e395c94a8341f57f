import { WhatsAppError } from '../../contract/errors';
import { backoffMs, mayRetry, type RetryPolicy, withRetries } from '../../nodes/whatsapp/delivery/retry';

const policy: RetryPolicy = { maxAttempts: 4, initialBackoffMs: 1000, maxBackoffMs: 60_000 };
const failure = (details: Partial<ConstructorParameters<typeof WhatsAppError>[1]> = {}) =>
	new WhatsAppError('failed', { kind: 'api', description: 'd', fix: 'f', retryable: true, ...details });

test.each([
	[1, 0, 500],
	[1, 1, 1000],
	[2, 0, 1000],
	[3, 1, 4000],
	[10, 1, 60_000],
])('attempt %i with jitter %p waits %i ms (doubling, jitter between half and all, capped)', (attempt, random, expected) => {
	expect(backoffMs(policy, attempt, failure(), () => random)).toBe(expected);
});

test('Retry-After wins over a shorter backoff, but not beyond the cap', () => {
	expect(backoffMs(policy, 1, failure({ retryAfterMs: 7000 }), () => 0)).toBe(7000);
	expect(backoffMs(policy, 1, failure({ retryAfterMs: 600_000 }), () => 0)).toBe(60_000);
});

test.each([
	['a retryable error', failure(), false, true],
	['a final error', failure({ retryable: false }), false, false],
	['an ambiguous failure of a send', failure({ kind: 'ambiguous', retryable: false }), false, false],
	['an ambiguous failure of a repeat-safe call', failure({ kind: 'ambiguous', retryable: false }), true, true],
	['a plain Error (a bug)', new Error('bug'), true, false],
])('mayRetry: %s → %p', (_what, error, idempotent, expected) => {
	expect(mayRetry(error, idempotent)).toBe(expected);
});

test('withRetries stops at max attempts, waits the backoff between, and reports the attempts on the error', async () => {
	const waits: number[] = [];
	let calls = 0;
	const attempt = withRetries(
		async () => {
			calls++;
			throw failure();
		},
		{ ...policy, maxAttempts: 3 },
		{ idempotent: false, wait: async (ms) => void waits.push(ms) },
	);

	await expect(attempt).rejects.toMatchObject({ attempts: 3 });
	expect(calls).toBe(3);
	expect(waits).toHaveLength(2);
});
