import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import { WhatsAppError } from '../../../contract/errors';
import { type ContactLinks, RedisContactLinks } from './contacts';
import { type OpenQuestions, RedisOpenQuestions } from './questions';
import { type OptOutStore, RedisOptOuts } from './optOuts';
import { quotaGrant, type QuotaReply, QUOTA_SCRIPT_DIR, QUOTA_SCRIPTS } from '../../../contract/quota';
import { defineScripts } from '../../../contract/redis/scripts';
import { REPLY_WINDOW_SECONDS, REPORT_TTL_SECONDS, indexOnSent } from './reports';
import { RedisDeliveryReports } from './reportsRedis';
import { RedisTemplateHealth, type TemplateHealth } from './templateHealth';
import { STORE_SCRIPT_DIR } from './scripts';
import type { DeliveryClaim, LedgerEntry, RedisClient, StateStore } from './types';
import { errorCode, errorMessage } from '../../../contract/log';

export interface RedisConnection {
	host: string;
	port: number;
	password?: string;
	database?: number;
	tls?: boolean;
	keyPrefix?: string;
	/** A Redis Cluster, which host and port name one node of (the others are found from it). */
	cluster?: boolean;
}

/**
 * A key's hash tag: the text between its first `{` and the next `}`, when not empty. Keys with the same tag are in
 * the same Cluster slot, which a script's keys must be.
 */
export function hashTagOf(key: string): string | undefined {
	const tag = /^[^{]*\{([^}]+)\}/.exec(key)?.[1];
	return tag || undefined;
}

/**
 * On a Cluster every key of the nodes shares the Key Prefix's hash tag, so each script's keys (a ledger and its
 * message records, an opt-out list and its order) are in one slot, as BullMQ asks of n8n's queue (`{bull}`).
 */
function checkClusterPrefix(connection: RedisConnection): void {
	if (!connection.cluster) return;
	const prefix = connection.keyPrefix ?? '';
	if (!hashTagOf(prefix))
		throw new WhatsAppError(`Key Prefix ${JSON.stringify(prefix)} holds no hash tag, which a Redis Cluster needs: nothing was sent`, {
			kind: 'validation',
			code: 'REDIS_CLUSTER_PREFIX',
			field: 'keyPrefix',
			description:
				"On a Redis Cluster the keys each Redis script touches must share one slot; the nodes' keys share it through a hash tag in the Key Prefix",
			fix: 'Set Key Prefix in the WhatsApp Shared State (Redis) credential to one with a hash tag, e.g. {wa}: (and REDIS_KEY_PREFIX of a Lite gateway sharing the quota to the same)',
		});
	if (connection.database)
		throw new WhatsAppError(`Database Number ${connection.database} does not exist on a Redis Cluster: nothing was sent`, {
			kind: 'validation',
			code: 'REDIS_CLUSTER_DATABASE',
			field: 'database',
			description: 'A Redis Cluster has only database 0',
			fix: 'Set Database Number to 0 in the WhatsApp Shared State (Redis) credential',
		});
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
		private readonly client: RedisClient,
		private readonly connection: RedisConnection,
	) {
		this.scripts = {
			...defineScripts(client, QUOTA_SCRIPT_DIR, QUOTA_SCRIPTS),
			...defineScripts(client, STORE_SCRIPT_DIR, {
				claimDelivery: 'first argument',
				confirmDelivery: 'first argument',
				releaseDelivery: 'first argument',
				claimRecipients: 1,
				recordOutcomes: 'first argument',
				reserveSlots: 1,
				pauseSender: 1,
			}),
		};
		this.optOuts = new RedisOptOuts(client, (operation) => this.run(operation));
		this.reports = new RedisDeliveryReports(client, (operation) => this.run(operation));
		this.contacts = new RedisContactLinks(client, (operation) => this.run(operation));
		this.templateHealth = new RedisTemplateHealth(client, (operation) => this.run(operation));
		this.questions = new RedisOpenQuestions(client, (operation) => this.run(operation));
	}

	static async connect(connection: RedisConnection): Promise<RedisStore> {
		checkClusterPrefix(connection);
		const options: RedisOptions = {
			password: connection.password || undefined,
			...(connection.tls && { tls: {} }),
			connectTimeout: 5000,
			maxRetriesPerRequest: 1,
			// Fail closed and fast: no reconnect loop hides an outage behind retries.
			retryStrategy: () => null,
		};
		const shared = {
			keyPrefix: connection.keyPrefix ?? '',
			lazyConnect: true,
			enableOfflineQueue: false,
			// Commands issued in the same tick go out in one write: at 1,000 sends/s each makes several round trips.
			enableAutoPipelining: true,
		};
		const clusterOptions: ClusterOptions = { ...shared, redisOptions: options, clusterRetryStrategy: () => null };
		const client: RedisClient = connection.cluster
			? new Cluster([{ host: connection.host, port: connection.port }], clusterOptions)
			: new Redis({ ...options, ...shared, host: connection.host, port: connection.port, db: connection.database ?? 0 });
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
		return quotaGrant((await this.run(() => this.scripts.reserveQuota(key, limit, ttlSeconds, count))) as QuotaReply);
	}

	async releaseQuota(key: string, count = 1) {
		await this.run(() => this.scripts.releaseQuota(key, count));
	}

	async claimRecipients(ledgerKey: string, recipients: string[], ttlSeconds: number, claimSeconds: number) {
		const blocking = (await this.run(() =>
			this.scripts.claimRecipients(ledgerKey, new Date().toISOString(), ttlSeconds, claimSeconds * 1000, ...recipients),
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
		const [slot, redisNow] = (await this.run(() => this.scripts.reserveSlots(key, intervalMs, count))) as [string, string];
		// Translate the Redis clock to ours, so a worker whose clock is off still waits the right time. Each answer
		// gives our clock minus Redis's plus how long the answer took to be read, which varies with the event loop's
		// load; the smallest one seen is the truest (never early), and one offset for every slot keeps them as far
		// apart as Redis booked them.
		this.clockOffsetMs = Math.min(this.clockOffsetMs, Date.now() - Number(redisNow));
		return Number(slot) + this.clockOffsetMs;
	}

	async pauseSender(key: string, pauseMs: number) {
		await this.run(() => this.scripts.pauseSender(key, pauseMs));
	}

	async close() {
		// QUIT on a connection Redis dropped would wait for an answer that never comes; an ended one needs nothing.
		if (this.client.status === 'end') return;
		if (this.client.status !== 'ready') return this.client.disconnect();
		// QUIT that fails means the connection is already going: disconnecting is all that is left to do.
		await this.client.quit().catch(() => this.client.disconnect());
	}
}
