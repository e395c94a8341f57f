import type { Kv } from './kv';

/** Kv in this process's memory: lost on restart and not shared between processes. */
export class MemoryKv implements Kv {
	private readonly strings = new Map<string, { value: string; expiresAt?: number }>();
	private readonly hashes = new Map<string, Map<string, string>>();
	private readonly lists = new Map<string, string[]>();
	private readonly sets = new Map<string, Set<string>>();

	constructor(private readonly now: () => number = Date.now) {}

	/** The string under key, unless its TTL has run out. */
	private live(key: string) {
		const entry = this.strings.get(key);
		if (entry?.expiresAt === undefined || entry.expiresAt > this.now()) return entry;
		this.strings.delete(key);
		return undefined;
	}

	private counter(key: string): number {
		return Number(this.live(key)?.value ?? 0);
	}

	/** Same steps as RESERVE_QUOTA_LUA; atomic because nothing awaits in between. */
	async reserveQuota(key: string, limit: number, ttlSeconds: number, count: number): Promise<[boolean, number]> {
		const used = this.counter(key);
		if (used + count > limit) return [false, used];
		const expiresAt = this.strings.get(key)?.expiresAt ?? this.now() + ttlSeconds * 1000;
		this.strings.set(key, { value: String(used + count), expiresAt });
		return [true, used + count];
	}

	/** Same steps as RELEASE_QUOTA_LUA. */
	async releaseQuota(key: string, count: number): Promise<void> {
		const used = this.counter(key);
		if (used <= 0) return;
		this.strings.set(key, { value: String(used - Math.min(used, count)), expiresAt: this.strings.get(key)?.expiresAt });
	}

	async get(key: string) {
		return this.live(key)?.value ?? null;
	}

	async set(key: string, value: string) {
		this.strings.set(key, { value });
	}

	async del(key: string) {
		this.strings.delete(key);
		this.hashes.delete(key);
		this.lists.delete(key);
		this.sets.delete(key);
	}

	private hash(key: string): Map<string, string> {
		if (!this.hashes.has(key)) this.hashes.set(key, new Map());
		return this.hashes.get(key)!;
	}

	async hget(key: string, field: string) {
		return this.hash(key).get(field) ?? null;
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

	private list(key: string): string[] {
		if (!this.lists.has(key)) this.lists.set(key, []);
		return this.lists.get(key)!;
	}

	async rpush(key: string, values: string[]) {
		this.list(key).push(...values);
	}

	async lfirst(key: string) {
		return this.list(key)[0] ?? null;
	}

	async lpop(key: string) {
		return this.list(key).shift() ?? null;
	}

	async llen(key: string) {
		return this.list(key).length;
	}

	async lrange(key: string) {
		return [...this.list(key)];
	}

	async lrem(key: string, value: string) {
		this.lists.set(key, this.list(key).filter((item) => item !== value));
	}

	private members(key: string): Set<string> {
		if (!this.sets.has(key)) this.sets.set(key, new Set());
		return this.sets.get(key)!;
	}

	async sadd(key: string, member: string) {
		const members = this.members(key);
		if (members.has(member)) return false;
		members.add(member);
		return true;
	}

	async srem(key: string, member: string) {
		this.members(key).delete(member);
	}

	async sismember(key: string, member: string) {
		return this.members(key).has(member);
	}

	async close() {}
}
