/**
 * The daily quota shared by the nodes and the Lite gateway: one counter per sender and day, under
 * `uo_whatsapp:{suit_id}:{YYYYMMDD}` (the Lite spec's key), expiring 24 hours after its first use.
 * Reserving is one atomic step (a Lua script in Redis), so concurrent executions, n8n workers and the gateway
 * can never pass the limit together.
 */
import { join } from 'node:path';

export const DEFAULT_DAILY_QUOTA = 300;
export const QUOTA_TTL_SECONDS = 24 * 60 * 60;

/** YYYYMMDD of the given time in UTC: the quota day. */
export function quotaDay(now: Date): string {
	return now.toISOString().slice(0, 10).replace(/-/g, '');
}

export function quotaKey(senderId: string, now: Date, prefix = ''): string {
	return `${prefix}uo_whatsapp:${senderId}:${quotaDay(now)}`;
}

/** When the quota day of `now` ends (next UTC midnight). */
export function quotaResetAt(now: Date): Date {
	const reset = new Date(now);
	reset.setUTCHours(24, 0, 0, 0);
	return reset;
}

/**
 * The quota's scripts (contract/redis/reserveQuota.lua, releaseQuota.lua), each over the one quota key: register
 * them with `defineScripts(client, QUOTA_SCRIPT_DIR, QUOTA_SCRIPTS)` (contract/redis/scripts.ts).
 */
export const QUOTA_SCRIPT_DIR = join(__dirname, 'redis');
export const QUOTA_SCRIPTS = { reserveQuota: 1, releaseQuota: 1 } as const;

/** What contract/redis/reserveQuota.lua answers: [1, used] when reserved, [0, used] when refused (nothing reserved then). */
export type QuotaReply = [reserved: 0 | 1, used: number];

/** A reservation's outcome, as every store reports it. */
export interface QuotaGrant {
	granted: boolean;
	/** The day's count after the call. */
	used: number;
}

/** The store's reading of the reservation script's answer. */
export function quotaGrant([reserved, used]: QuotaReply): QuotaGrant {
	return { granted: reserved === 1, used: Number(used) };
}

/**
 * Counters a store keeps in its own process (no Redis), read and written the way the quota scripts use Redis: a
 * missing or expired counter reads as undefined; a write keeps the counter's expiry, and a new counter expires
 * `ttlSeconds` after it was written.
 */
export interface LocalCounters {
	counter(key: string): number | undefined;
	setCounter(key: string, value: number, ttlSeconds: number): void;
}

/**
 * contract/redis/reserveQuota.lua's steps for a store in this process, with the same arguments and answer. Atomic there because
 * nothing awaits in between.
 */
export function reserveQuotaLocally(counters: LocalCounters, key: string, limit: number, ttlSeconds: number, count: number): QuotaReply {
	const used = counters.counter(key) ?? 0;
	if (used + count > limit) return [0, used];
	counters.setCounter(key, used + count, ttlSeconds);
	return [1, used + count];
}

/** contract/redis/releaseQuota.lua's steps for a store in this process: the count left (never below zero; nothing is created). */
export function releaseQuotaLocally(counters: LocalCounters, key: string, count: number): number {
	const used = counters.counter(key) ?? 0;
	if (used <= 0) return 0;
	const left = used - Math.min(used, count);
	// The counter exists, so it keeps its expiry (as DECRBY keeps a key's TTL): the TTL given is never used.
	counters.setCounter(key, left, 0);
	return left;
}

export interface QuotaReservation extends QuotaGrant {
	limit: number;
	resetAt: Date;
}
