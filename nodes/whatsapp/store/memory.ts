import type { DeliveryClaim, LedgerEntry, StateStore } from './types';

/** An inbound delivery's settled claim; a pending one holds its delivery's token. */
const DONE = 'done';

interface Expiring<T> {
	value: T;
	expiresAt: number;
}

/**
 * Process-local state with the same semantics as the Redis store. Correct for one n8n process; queue-mode
 * workers each have their own, which is why the nodes say so when no Redis credential is set.
 */
export class MemoryStore implements StateStore {
	readonly shared = false;
	private readonly values = new Map<string, Expiring<unknown>>();

	private read<T>(key: string): T | undefined {
		const entry = this.values.get(key);
		if (!entry) return undefined;
		if (entry.expiresAt <= Date.now()) {
			this.values.delete(key);
			return undefined;
		}
		return entry.value as T;
	}

	private write(key: string, value: unknown, ttlSeconds: number, keepExpiry = false) {
		const existing = keepExpiry ? this.values.get(key) : undefined;
		this.values.set(key, { value, expiresAt: existing?.expiresAt ?? Date.now() + ttlSeconds * 1000 });
	}

	async claimDelivery(keys: string[], token: string, pendingTtlSeconds: number) {
		const states = keys.map((key) => this.read<string>(key));
		if (states.some((state) => state !== undefined && state !== DONE)) return 'busy';
		keys.forEach((key, index) => states[index] === undefined && this.write(key, token, pendingTtlSeconds));
		return states.map((state): DeliveryClaim => (state === DONE ? 'seen' : 'new'));
	}

	async confirmDelivery(claims: Array<{ key: string; ttlSeconds: number }>, token: string) {
		for (const { key, ttlSeconds } of claims) {
			const current = this.read<string>(key);
			if (current === undefined || current === token) this.write(key, DONE, ttlSeconds);
		}
	}

	async releaseDelivery(keys: string[], token: string) {
		for (const key of keys) if (this.read<string>(key) === token) this.values.delete(key);
	}

	async reserveQuota(key: string, limit: number, ttlSeconds: number, count = 1) {
		const used = this.read<number>(key) ?? 0;
		if (used + count > limit) return { granted: false, used };
		this.write(key, used + count, ttlSeconds, true);
		return { granted: true, used: used + count };
	}

	async releaseQuota(key: string, count = 1) {
		const used = this.read<number>(key);
		if (used) this.write(key, Math.max(0, used - count), 0, true);
	}

	async claimRecipient(ledgerKey: string, recipient: string, ttlSeconds: number) {
		const key = `${ledgerKey}\u0000${recipient}`;
		const existing = this.read<LedgerEntry>(key);
		if (existing && existing.status !== 'failed') return existing;
		this.write(key, { status: 'sending', at: new Date().toISOString() } satisfies LedgerEntry, ttlSeconds);
		return undefined;
	}

	async recordOutcome(ledgerKey: string, recipient: string, entry: LedgerEntry, ttlSeconds: number) {
		this.write(`${ledgerKey}\u0000${recipient}`, entry, ttlSeconds);
	}

	async reserveSlot(key: string, intervalMs: number) {
		const now = Date.now();
		const slot = Math.max(now, this.read<number>(key) ?? 0);
		this.write(key, slot + intervalMs, 3600);
		return slot;
	}

	async pauseSender(key: string, pauseMs: number) {
		this.write(key, Math.max(this.read<number>(key) ?? 0, Date.now() + pauseMs), 3600);
	}

	async close() {}
}

/** One memory store per n8n process, so concurrent executions in it share quota, ledger and pace. */
export const processMemoryStore = new MemoryStore();
