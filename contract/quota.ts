/**
 * The daily quota shared by the nodes and the Lite gateway: one counter per sender and day, under
 * `uo_whatsapp:{suit_id}:{YYYYMMDD}` (the Lite spec's key), expiring 24 hours after its first use.
 * Reserving is one atomic step (a Lua script in Redis), so concurrent executions, n8n workers and the gateway
 * can never pass the limit together.
 */
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
 * KEYS[1] quota key; ARGV[1] limit, ARGV[2] TTL seconds, ARGV[3] count to reserve.
 * Returns {1, used} when reserved, {0, used} when it would pass the limit (nothing is reserved then).
 */
export const RESERVE_QUOTA_LUA = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local count = tonumber(ARGV[3])
if used + count > tonumber(ARGV[1]) then
  return {0, used}
end
used = redis.call('INCRBY', KEYS[1], count)
if redis.call('TTL', KEYS[1]) < 0 then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return {1, used}
`;

/** KEYS[1] quota key; ARGV[1] count. Gives back a reservation whose message was certainly not sent. */
export const RELEASE_QUOTA_LUA = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used <= 0 then return 0 end
return redis.call('DECRBY', KEYS[1], math.min(used, tonumber(ARGV[1])))
`;

export interface QuotaReservation {
	granted: boolean;
	used: number;
	limit: number;
	resetAt: Date;
}
