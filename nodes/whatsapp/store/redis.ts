import Redis, { type RedisOptions } from 'ioredis';
import { WhatsAppError } from '../../../contract/errors';
import { type ContactLinks, RedisContactLinks } from './contacts';
import { type OpenQuestions, RedisOpenQuestions } from './questions';
import { type OptOutStore, RedisOptOuts } from './optOuts';
import { quotaGrant, type QuotaReply, RELEASE_QUOTA_LUA, RESERVE_QUOTA_LUA } from '../../../contract/quota';
import { REPLY_WINDOW_SECONDS, REPORT_TTL_SECONDS, indexOnSent } from './reports';
import { RedisDeliveryReports } from './reportsRedis';
import { RedisTemplateHealth, type TemplateHealth } from './templateHealth';
import type { DeliveryClaim, LedgerEntry, StateStore } from './types';
import { errorCode, errorMessage } from '../../../contract/log';

/**
 * KEYS[1] ledger hash; ARGV[1] ISO time, ARGV[2] ledger TTL s, ARGV[3] claim ms, ARGV[4..] recipients. Per recipient,
 * in order: the blocking entry, or false when claimed now. A failed entry, or a claim that lapsed before any
 * request left, may be claimed again.
 */
const CLAIM_RECIPIENTS_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local claim = cjson.encode({status = 'claimed', at = ARGV[1], ['until'] = now + tonumber(ARGV[3])})
local blocking = {}
for i = 4, #ARGV do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  local blocks = false
  if current then
    local entry = cjson.decode(current)
    local lapsed = entry.status == 'claimed' and (tonumber(entry['until']) or 0) <= now
    if entry.status ~= 'failed' and not lapsed then blocks = current end
  end
  if not blocks then redis.call('HSET', KEYS[1], ARGV[i], claim) end
  blocking[i - 3] = blocks
end
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2])) end
return blocking
`;

/**
 * KEYS[1] ledger hash, then for each entry that starts a message record (indexOnSent) its message key and the
 * recipient's latest-message key; ARGV[1] ledger TTL s, ARGV[2] record TTL s, ARGV[3] latest TTL s, then per
 * entry: recipient, entry JSON, record JSON ('' for none), message ID.
 */
const RECORD_OUTCOMES_LUA = `
local key = 2
for i = 4, #ARGV, 4 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  if ARGV[i + 2] ~= '' then
    redis.call('SET', KEYS[key], ARGV[i + 2], 'EX', tonumber(ARGV[2]))
    redis.call('SET', KEYS[key + 1], ARGV[i + 3], 'EX', tonumber(ARGV[3]))
    key = key + 2
  end
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
`;

/**
 * KEYS[1] sender pace key; ARGV[1] interval ms, ARGV[2] slots taken. Returns the first slot and Redis's "now": the
 * Redis clock, so every worker agrees on it.
 */
const RESERVE_SLOTS_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextFree)
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[1]) * tonumber(ARGV[2])), 'PX', 3600000)
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
	return String(errorCode(error) ?? errorMessage(error));
}

/** Redis could not be reached at the start: no send was even tried. */
function unreachable(connection: RedisConnection, error: unknown): WhatsAppError {
	return new WhatsAppError(`Redis at ${connection.host}:${connection.port} is unreachable: nothing was sent`, {
		kind: 'network',
		code: 'REDIS_UNAVAILABLE',
		stopsSender: true,
		description: `Redis answered: ${causeOf(error)}. Quota, campaign ledger and send pace live in Redis; without it a send could pass the quota or reach someone twice, so none is made`,
		fix: REDIS_FIX,
		backendMessage: causeOf(error),
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

type ScriptCall = (numberOfKeys: number, ...keysThenArgs: Array<string | number>) => Promise<unknown>;

/**
 * The store's scripts, each called by its SHA (EVALSHA): ioredis sends a script's text once per connection (and
 * again after NOSCRIPT, e.g. once Redis restarted), not on every call.
 */
function defineScripts<Name extends string>(client: Redis, scripts: Record<Name, string>): Record<Name, ScriptCall> {
	const calls = {} as Record<Name, ScriptCall>;
	for (const [name, lua] of Object.entries(scripts) as Array<[Name, string]>) {
		const command = `waAutomator_${name}`;
		client.defineCommand(command, { lua });
		calls[name] = (...args) => (client as unknown as Record<string, ScriptCall>)[command](...args);
	}
	return calls;
}

/** Shared state in Redis: every n8n process and worker sees the same quota, ledger and pace. Fails closed. */
export class RedisStore implements StateStore {
	readonly shared = true;
	readonly optOuts: OptOutStore;
	/** Our clock minus Redis's, as `reserveSlot` measures it. */
	private clockOffsetMs = Number.POSITIVE_INFINITY;
	readonly reports: RedisDeliveryReports;
	readonly contacts: ContactLinks;
	readonly templateHealth: TemplateHealth;
	readonly questions: OpenQuestions;
	private readonly scripts;

	private constructor(
		private readonly client: Redis,
		private readonly connection: RedisConnection,
	) {
		this.scripts = defineScripts(client, {
			claimDelivery: CLAIM_DELIVERY_LUA,
			confirmDelivery: CONFIRM_DELIVERY_LUA,
			releaseDelivery: RELEASE_DELIVERY_LUA,
			reserveQuota: RESERVE_QUOTA_LUA,
			releaseQuota: RELEASE_QUOTA_LUA,
			claimRecipients: CLAIM_RECIPIENTS_LUA,
			recordOutcomes: RECORD_OUTCOMES_LUA,
			reserveSlots: RESERVE_SLOTS_LUA,
			pauseSender: PAUSE_SENDER_LUA,
		});
		this.optOuts = new RedisOptOuts(client, (operation) => this.run(operation));
		this.reports = new RedisDeliveryReports(client, (operation) => this.run(operation));
		this.contacts = new RedisContactLinks(client, (operation) => this.run(operation));
		this.templateHealth = new RedisTemplateHealth(client, (operation) => this.run(operation));
		this.questions = new RedisOpenQuestions(client, (operation) => this.run(operation));
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
		const states = await this.run(() => this.scripts.claimDelivery(keys.length, ...keys, token, pendingTtlSeconds));
		return Array.isArray(states) ? (states as DeliveryClaim[]) : 'busy';
	}

	async confirmDelivery(claims: Array<{ key: string; ttlSeconds: number }>, token: string) {
		const keys = claims.map((claim) => claim.key);
		await this.run(() => this.scripts.confirmDelivery(keys.length, ...keys, token, ...claims.map((claim) => claim.ttlSeconds)));
	}

	async releaseDelivery(keys: string[], token: string) {
		await this.run(() => this.scripts.releaseDelivery(keys.length, ...keys, token));
	}

	async reserveQuota(key: string, limit: number, ttlSeconds: number, count = 1) {
		return quotaGrant((await this.run(() => this.scripts.reserveQuota(1, key, limit, ttlSeconds, count))) as QuotaReply);
	}

	async releaseQuota(key: string, count = 1) {
		await this.run(() => this.scripts.releaseQuota(1, key, count));
	}

	async claimRecipients(ledgerKey: string, recipients: string[], ttlSeconds: number, claimSeconds: number) {
		const blocking = (await this.run(() =>
			this.scripts.claimRecipients(1, ledgerKey, new Date().toISOString(), ttlSeconds, claimSeconds * 1000, ...recipients),
		)) as Array<string | null>;
		return blocking.map((entry) => (typeof entry === 'string' ? (JSON.parse(entry) as LedgerEntry) : undefined));
	}

	async ledgerEntries(ledgerKey: string, recipients: string[]) {
		if (!recipients.length) return [];
		const values = await this.run(() => this.client.hmget(ledgerKey, ...recipients));
		return values.map((value) => (value ? (JSON.parse(value) as LedgerEntry) : undefined));
	}

	async recordOutcome(ledgerKey: string, recipient: string, entry: LedgerEntry, ttlSeconds: number) {
		await this.recordOutcomes(ledgerKey, [{ recipient, entry }], ttlSeconds);
	}

	async recordOutcomes(ledgerKey: string, outcomes: Array<{ recipient: string; entry: LedgerEntry }>, ttlSeconds: number) {
		const indexKeys: string[] = [];
		const args: string[] = [];
		for (const { recipient, entry } of outcomes) {
			const index = indexOnSent(ledgerKey, recipient, entry);
			if (index) indexKeys.push(index.messageKey, index.latestKey);
			args.push(recipient, JSON.stringify(entry), index ? JSON.stringify(index.record) : '', index?.messageId ?? '');
		}
		await this.run(() =>
			this.scripts.recordOutcomes(
				1 + indexKeys.length,
				ledgerKey,
				...indexKeys,
				ttlSeconds,
				REPORT_TTL_SECONDS,
				REPLY_WINDOW_SECONDS,
				...args,
			),
		);
	}

	async reserveSlot(key: string, intervalMs: number, count = 1) {
		const [slot, redisNow] = (await this.run(() => this.scripts.reserveSlots(1, key, intervalMs, count))) as [string, string];
		// Translate the Redis clock to ours, so a worker whose clock is off still waits the right time. Each answer
		// gives our clock minus Redis's plus how long the answer took to be read, which varies with the event loop's
		// load; the smallest one seen is the truest (never early), and one offset for every slot keeps them as far
		// apart as Redis booked them.
		this.clockOffsetMs = Math.min(this.clockOffsetMs, Date.now() - Number(redisNow));
		return Number(slot) + this.clockOffsetMs;
	}

	async pauseSender(key: string, pauseMs: number) {
		await this.run(() => this.scripts.pauseSender(1, key, pauseMs));
	}

	async close() {
		// QUIT on a connection Redis dropped would wait for an answer that never comes; an ended one needs nothing.
		if (this.client.status === 'end') return;
		if (this.client.status !== 'ready') return this.client.disconnect();
		// QUIT that fails means the connection is already going: disconnecting is all that is left to do.
		await this.client.quit().catch(() => this.client.disconnect());
	}
}
