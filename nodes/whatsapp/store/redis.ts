import Redis, { type RedisOptions } from 'ioredis';
import { WhatsAppError } from '../errors';
import { type OptOutStore, RedisOptOuts } from './optOuts';
import { RELEASE_QUOTA_LUA, RESERVE_QUOTA_LUA } from '../quota';
import { RedisDeliveryReports, withSentIndex } from './reportsRedis';
import type { DeliveryClaim, LedgerEntry, StateStore } from './types';

/**
 * KEYS[1] ledger hash; ARGV[1] recipient, ARGV[2] ISO time, ARGV[3] ledger TTL s, ARGV[4] claim ms. Returns the
 * blocking entry or nil. A failed entry, or a claim that lapsed before any request left, may be claimed again.
 */
const CLAIM_RECIPIENT_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local entry = cjson.decode(current)
  local lapsed = entry.status == 'claimed' and (tonumber(entry['until']) or 0) <= now
  if entry.status ~= 'failed' and not lapsed then return current end
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({status = 'claimed', at = ARGV[2], ['until'] = now + tonumber(ARGV[4])}))
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3])) end
return false
`;

/** KEYS[1] sender pace key; ARGV[1] interval ms. Uses the Redis clock, so every worker agrees on "now". */
const RESERVE_SLOT_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextFree)
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[1])), 'PX', 3600000)
return {tostring(slot), tostring(now)}
`;

/** KEYS[1] sender pace key; ARGV[1] pause ms. */
const PAUSE_SENDER_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
redis.call('SET', KEYS[1], tostring(math.max(nextFree, now + tonumber(ARGV[1]))), 'PX', 3600000)
return 1
`;

/**
 * KEYS the delivery's keys; ARGV[1] token, ARGV[2] pending TTL. A settled key holds "done", a pending one the
 * token of the delivery handing it over. Returns nil when another delivery holds a key pending.
 */
const CLAIM_DELIVERY_LUA = `
local states = {}
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current == 'done' then states[i] = 'seen'
  elseif current then return false
  else states[i] = 'new' end
end
for i, key in ipairs(KEYS) do
  if states[i] == 'new' then redis.call('SET', key, ARGV[1], 'EX', tonumber(ARGV[2])) end
end
return states
`;

/** KEYS the delivery's keys; ARGV[1] token, ARGV[i + 1] the TTL of KEYS[i]. A lapsed pending claim is settled too. */
const CONFIRM_DELIVERY_LUA = `
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current == ARGV[1] or not current then redis.call('SET', key, 'done', 'EX', tonumber(ARGV[i + 1])) end
end
return 1
`;

/** KEYS the delivery's keys; ARGV[1] token. Only this delivery's pending claims are removed. */
const RELEASE_DELIVERY_LUA = `
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 1
`;

export interface RedisConnection {
	host: string;
	port: number;
	password?: string;
	database?: number;
	tls?: boolean;
	keyPrefix?: string;
}

const REDIS_FIX = 'Check host, port, password and TLS in the WhatsApp Shared State (Redis) credential, and that Redis is running';

/** The cause goes into the description: n8n replaces a message that names a socket error code with a generic one. */
function causeOf(error: unknown): string {
	return (error as { code?: string; message?: string })?.code ?? (error as Error)?.message ?? String(error);
}

/** Redis could not be reached at the start: no send was even tried. */
function unreachable(connection: RedisConnection, error: unknown): WhatsAppError {
	return new WhatsAppError(`Redis at ${connection.host}:${connection.port} is unreachable: nothing was sent`, {
		kind: 'network',
		code: 'REDIS_UNAVAILABLE',
		stopsSender: true,
		description: `Redis answered: ${causeOf(error)}. Quota, campaign ledger and send pace live in Redis; without it a send could pass the quota or reach someone twice, so none is made`,
		fix: REDIS_FIX,
	});
}

/** Redis went away during a run: what was sent before stays sent; the engine says per item what happened. */
function lost(connection: RedisConnection, error: unknown): WhatsAppError {
	return new WhatsAppError(`Redis at ${connection.host}:${connection.port} became unreachable`, {
		kind: 'network',
		code: 'REDIS_UNAVAILABLE',
		stopsSender: true,
		description: `Redis answered: ${causeOf(error)}. Without the campaign ledger and quota no further message is sent; each item says whether its message went out`,
		fix: `${REDIS_FIX}, then run again with the same Campaign ID: who got the message is skipped`,
	});
}

/** Shared state in Redis: every n8n process and worker sees the same quota, ledger and pace. Fails closed. */
export class RedisStore implements StateStore {
	readonly shared = true;
	readonly optOuts: OptOutStore;
	/** Our clock minus Redis's, as `reserveSlot` measures it. */
	private clockOffsetMs = Number.POSITIVE_INFINITY;
	readonly reports: RedisDeliveryReports;

	private constructor(
		private readonly client: Redis,
		private readonly connection: RedisConnection,
	) {
		this.optOuts = new RedisOptOuts(client, (operation) => this.run(operation));
		this.reports = new RedisDeliveryReports(client, (operation) => this.run(operation));
	}

	static async connect(connection: RedisConnection): Promise<RedisStore> {
		const options: RedisOptions = {
			host: connection.host,
			port: connection.port,
			password: connection.password || undefined,
			db: connection.database ?? 0,
			keyPrefix: connection.keyPrefix ?? '',
			...(connection.tls && { tls: {} }),
			lazyConnect: true,
			connectTimeout: 5000,
			maxRetriesPerRequest: 1,
			enableOfflineQueue: false,
			// Fail closed and fast: no reconnect loop hides an outage behind retries.
			retryStrategy: () => null,
			// Commands issued in the same tick go out in one write: at 1,000 sends/s each makes several round trips.
			enableAutoPipelining: true,
		};
		const client = new Redis(options);
		// ioredis reports the cause (ECONNREFUSED, auth) as an event and rejects connect() with a generic message.
		let cause: unknown;
		client.on('error', (error) => (cause ??= error));
		try {
			await client.connect();
		} catch (error) {
			client.disconnect();
			throw unreachable(connection, cause ?? error);
		}
		return new RedisStore(client, connection);
	}

	/** False once the connection is gone (no reconnect loop: a new store must be connected). */
	get open(): boolean {
		return this.client.status === 'ready';
	}

	private async run<T>(operation: () => Promise<T>): Promise<T> {
		try {
			return await operation();
		} catch (error) {
			throw lost(this.connection, error);
		}
	}

	async claimDelivery(keys: string[], token: string, pendingTtlSeconds: number) {
		const states = await this.run(() => this.client.eval(CLAIM_DELIVERY_LUA, keys.length, ...keys, token, pendingTtlSeconds));
		return Array.isArray(states) ? (states as DeliveryClaim[]) : 'busy';
	}

	async confirmDelivery(claims: Array<{ key: string; ttlSeconds: number }>, token: string) {
		const keys = claims.map((claim) => claim.key);
		await this.run(() => this.client.eval(CONFIRM_DELIVERY_LUA, keys.length, ...keys, token, ...claims.map((claim) => claim.ttlSeconds)));
	}

	async releaseDelivery(keys: string[], token: string) {
		await this.run(() => this.client.eval(RELEASE_DELIVERY_LUA, keys.length, ...keys, token));
	}

	async reserveQuota(key: string, limit: number, ttlSeconds: number, count = 1) {
		const [granted, used] = (await this.run(() => this.client.eval(RESERVE_QUOTA_LUA, 1, key, limit, ttlSeconds, count))) as [
			number,
			number,
		];
		return { granted: granted === 1, used: Number(used) };
	}

	async releaseQuota(key: string, count = 1) {
		await this.run(() => this.client.eval(RELEASE_QUOTA_LUA, 1, key, count));
	}

	async claimRecipient(ledgerKey: string, recipient: string, ttlSeconds: number, claimSeconds: number) {
		const current = await this.run(() =>
			this.client.eval(CLAIM_RECIPIENT_LUA, 1, ledgerKey, recipient, new Date().toISOString(), ttlSeconds, claimSeconds * 1000),
		);
		return typeof current === 'string' ? (JSON.parse(current) as LedgerEntry) : undefined;
	}

	async recordOutcome(ledgerKey: string, recipient: string, entry: LedgerEntry, ttlSeconds: number) {
		await this.run(() =>
			withSentIndex(
				this.client.multi().hset(ledgerKey, recipient, JSON.stringify(entry)).expire(ledgerKey, ttlSeconds),
				ledgerKey,
				recipient,
				entry,
			).exec(),
		);
	}

	async reserveSlot(key: string, intervalMs: number) {
		const [slot, redisNow] = (await this.run(() => this.client.eval(RESERVE_SLOT_LUA, 1, key, intervalMs))) as [string, string];
		// Translate the Redis clock to ours, so a worker whose clock is off still waits the right time. Each answer
		// gives our clock minus Redis's plus how long the answer took to be read, which varies with the event loop's
		// load; the smallest one seen is the truest (never early), and one offset for every slot keeps them as far
		// apart as Redis booked them.
		this.clockOffsetMs = Math.min(this.clockOffsetMs, Date.now() - Number(redisNow));
		return Number(slot) + this.clockOffsetMs;
	}

	async pauseSender(key: string, pauseMs: number) {
		await this.run(() => this.client.eval(PAUSE_SENDER_LUA, 1, key, pauseMs));
	}

	async close() {
		// QUIT on a connection Redis dropped would wait for an answer that never comes; an ended one needs nothing.
		if (this.client.status === 'end') return;
		if (this.client.status !== 'ready') return this.client.disconnect();
		await this.client.quit().catch(() => this.client.disconnect());
	}
}
