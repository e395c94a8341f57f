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

export interface QuotaReservation {
	granted: boolean;
	used: number;
	limit: number;
	resetAt: Date;
}
