import { type LocalCounters, type QuotaGrant, quotaGrant, releaseQuotaLocally, reserveQuotaLocally } from '../../../contract/quota';
import type { Kv } from './kv';

/** Kv in this process's memory: lost on restart and not shared between processes. */
export class MemoryKv implements Kv {
	private readonly strings = new Map<string, { value: string; expiresAt: number }>();
	private readonly hashes = new Map<string, Map<string, string>>();

	constructor(private readonly now: () => number = Date.now) {}

	/** The string under key, unless its TTL has run out. */
	private live(key: string) {
		const entry = this.strings.get(key);
		if (entry === undefined || entry.expiresAt > this.now()) return entry;
		this.strings.delete(key);
		return undefined;
	}

	/** The quota's counters, as the shared quota steps read and write them. */
	private readonly counters: LocalCounters = {
		counter: (key) => {
			const entry = this.live(key);
			return entry && Number(entry.value);
		},
		setCounter: (key, value, ttlSeconds) => {
			const expiresAt = this.live(key)?.expiresAt ?? this.now() + ttlSeconds * 1000;
			this.strings.set(key, { value: String(value), expiresAt });
		},
	};

	async reserveQuota(key: string, limit: number, ttlSeconds: number, count: number): Promise<QuotaGrant> {
		return quotaGrant(reserveQuotaLocally(this.counters, key, limit, ttlSeconds, count));
	}

	async releaseQuota(key: string, count: number): Promise<void> {
		releaseQuotaLocally(this.counters, key, count);
	}

	async get(key: string) {
		return this.live(key)?.value ?? null;
	}

	private hash(key: string): Map<string, string> {
		if (!this.hashes.has(key)) this.hashes.set(key, new Map());
		return this.hashes.get(key)!;
	}

	async hget(key: string, field: string) {
		return this.hash(key).get(field) ?? null;
	}

	async hmget(key: string, fields: string[]) {
		const hash = this.hash(key);
		return fields.map((field) => hash.get(field) ?? null);
	}

	async hset(key: string, field: string, value: string) {
		this.hash(key).set(field, value);
	}

	async hdel(key: string, field: string) {
		return this.hash(key).delete(field);
	}

	async hvals(key: string) {
		return [...this.hash(key).values()];
	}

	async close() {}
}
