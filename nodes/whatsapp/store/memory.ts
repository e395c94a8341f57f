import { type LocalCounters, quotaGrant, releaseQuotaLocally, reserveQuotaLocally } from '../../../contract/quota';
import { MemoryContactLinks } from './contacts';
import { MemoryOptOuts } from './optOuts';
import { MemoryTemplateHealth } from './templateHealth';
import { MemoryOpenQuestions } from './questions';
import { type ExpiringEntries, MemoryDeliveryReports, fieldKey, writeSentIndex } from './reportsMemory';
import { claimable, type DeliveryClaim, type LedgerEntry, type StateStore } from './types';

/** An inbound delivery's settled claim; a pending one holds its delivery's token. */
const DONE = 'done';

interface Expiring<T> {
	value: T;
	expiresAt: number;
}

/** Entries one process keeps at most (about 200 bytes each): past it the least recently written go first. */
export const MEMORY_STORE_MAX_ENTRIES = 500_000;
/** Expired entries are swept on a write at most this often (a full pass; no timer keeps the process alive). */
const SWEEP_INTERVAL_MS = 10_000;

/**
 * Process-local state with the same semantics as the Redis store. Correct for one n8n process; queue-mode
 * workers each have their own, which is why the nodes say so when no Redis credential is set. Bounded: expired
 * entries are swept, and past `maxEntries` the least recently written entries are dropped first.
 */
export class MemoryStore implements StateStore, ExpiringEntries {
	readonly shared = false;
	readonly optOuts = new MemoryOptOuts();
	readonly reports = new MemoryDeliveryReports(this);
	readonly contacts = new MemoryContactLinks(this);
	readonly templateHealth = new MemoryTemplateHealth(this);
	readonly questions = new MemoryOpenQuestions(this);
	/** Insertion order is write order (a write moves its key to the end), so the first key is the oldest. */
	private readonly values = new Map<string, Expiring<unknown>>();
	private nextSweepAt = 0;
	/** The quota's counters, as the shared quota steps read and write them. */
	private readonly counters: LocalCounters = {
		counter: (key) => this.read<number>(key),
		setCounter: (key, value, ttlSeconds) => this.write(key, value, ttlSeconds, true),
	};

	constructor(private readonly maxEntries = MEMORY_STORE_MAX_ENTRIES) {}

	get size(): number {
		return this.values.size;
	}

	read<T>(key: string): T | undefined {
		const entry = this.values.get(key);
		if (!entry) return undefined;
		if (entry.expiresAt <= Date.now()) {
			this.values.delete(key);
			return undefined;
		}
		return entry.value as T;
	}

	write(key: string, value: unknown, ttlSeconds: number, keepExpiry = false) {
		const now = Date.now();
		const existing = keepExpiry ? this.values.get(key) : undefined;
		this.values.delete(key);
		this.values.set(key, { value, expiresAt: existing?.expiresAt ?? now + ttlSeconds * 1000 });
		if (now >= this.nextSweepAt) this.sweep(now);
		for (const oldest of this.values.keys()) {
			if (this.values.size <= this.maxEntries) break;
			this.values.delete(oldest);
		}
	}

	remove(key: string) {
		this.values.delete(key);
	}

	fields<T>(hashKey: string): Map<string, T> {
		const prefix = fieldKey(hashKey, '');
		const fields = new Map<string, T>();
		for (const key of this.values.keys()) {
			if (!key.startsWith(prefix)) continue;
			const value = this.read<T>(key);
			if (value !== undefined) fields.set(key.slice(prefix.length), value);
		}
		return fields;
	}

	private sweep(now: number) {
		this.nextSweepAt = now + SWEEP_INTERVAL_MS;
		for (const [key, entry] of this.values) if (entry.expiresAt <= now) this.values.delete(key);
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
		return quotaGrant(reserveQuotaLocally(this.counters, key, limit, ttlSeconds, count));
	}

	async releaseQuota(key: string, count = 1) {
		releaseQuotaLocally(this.counters, key, count);
	}

	async claimRecipients(ledgerKey: string, recipients: string[], ttlSeconds: number, claimSeconds: number) {
		const now = Date.now();
		const claim: LedgerEntry = { status: 'claimed', at: new Date(now).toISOString(), until: now + claimSeconds * 1000 };
		return recipients.map((recipient) => {
			const key = fieldKey(ledgerKey, recipient);
			const existing = this.read<LedgerEntry>(key);
			if (existing && !claimable(existing, now)) return existing;
			this.write(key, { ...claim }, ttlSeconds);
			return undefined;
		});
	}

	async ledgerEntries(ledgerKey: string, recipients: string[]) {
		return recipients.map((recipient) => this.read<LedgerEntry>(fieldKey(ledgerKey, recipient)));
	}

	async recordOutcome(ledgerKey: string, recipient: string, entry: LedgerEntry, ttlSeconds: number) {
		this.write(fieldKey(ledgerKey, recipient), entry, ttlSeconds);
		writeSentIndex(this, ledgerKey, recipient, entry);
	}

	async recordOutcomes(ledgerKey: string, outcomes: Array<{ recipient: string; entry: LedgerEntry }>, ttlSeconds: number) {
		for (const { recipient, entry } of outcomes) await this.recordOutcome(ledgerKey, recipient, entry, ttlSeconds);
	}

	async reserveSlot(key: string, intervalMs: number, count = 1) {
		const now = Date.now();
		const slot = Math.max(now, this.read<number>(key) ?? 0);
		this.write(key, slot + intervalMs * count, 3600);
		return slot;
	}

	async pauseSender(key: string, pauseMs: number) {
		this.write(key, Math.max(this.read<number>(key) ?? 0, Date.now() + pauseMs), 3600);
	}

	async close() {}
}

/** One memory store per n8n process, so concurrent executions in it share quota, ledger and pace. */
export const processMemoryStore = new MemoryStore();
