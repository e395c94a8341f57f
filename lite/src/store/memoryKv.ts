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

	private counter(key: string): number {
		return Number(this.live(key)?.value ?? 0);
	}

	/** Same steps as contract/redis/reserveQuota.lua; atomic because nothing awaits in between. */
	async reserveQuota(key: string, limit: number, ttlSeconds: number, count: number): Promise<[boolean, number]> {
		const used = this.counter(key);
		if (used + count > limit) return [false, used];
		const expiresAt = this.live(key)?.expiresAt ?? this.now() + ttlSeconds * 1000;
		this.strings.set(key, { value: String(used + count), expiresAt });
		return [true, used + count];
	}

	/** Same steps as contract/redis/releaseQuota.lua. */
	async releaseQuota(key: string, count: number): Promise<void> {
		const entry = this.live(key);
		if (!entry || Number(entry.value) <= 0) return;
		const used = Number(entry.value);
		this.strings.set(key, { value: String(used - Math.min(used, count)), expiresAt: entry.expiresAt });
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
