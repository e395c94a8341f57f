import type Redis from 'ioredis';
import { type QuotaGrant, quotaGrant, type QuotaReply, RELEASE_QUOTA_LUA, RESERVE_QUOTA_LUA } from '../../../contract/quota';
import type { Kv } from './kv';
import { guarded } from './redis';

type QuotaCommands = Redis & {
	reserveQuota(key: string, limit: number, ttlSeconds: number, count: number): Promise<QuotaReply>;
	releaseQuota(key: string, count: number): Promise<number>;
};

/** Kv in Redis; every call answers 503 STORE_UNAVAILABLE when Redis cannot be reached. */
export class RedisKv implements Kv {
	private readonly redis: QuotaCommands;

	constructor(redis: Redis) {
		// The nodes' scripts, loaded once and run by SHA (EVALSHA).
		redis.defineCommand('reserveQuota', { numberOfKeys: 1, lua: RESERVE_QUOTA_LUA });
		redis.defineCommand('releaseQuota', { numberOfKeys: 1, lua: RELEASE_QUOTA_LUA });
		this.redis = redis as QuotaCommands;
	}

	async reserveQuota(key: string, limit: number, ttlSeconds: number, count: number): Promise<QuotaGrant> {
		return quotaGrant(await guarded(() => this.redis.reserveQuota(key, limit, ttlSeconds, count)));
	}

	async releaseQuota(key: string, count: number): Promise<void> {
		await guarded(() => this.redis.releaseQuota(key, count));
	}

	get(key: string) {
		return guarded(() => this.redis.get(key));
	}

	hget(key: string, field: string) {
		return guarded(() => this.redis.hget(key, field));
	}

	hmget(key: string, fields: string[]) {
		return guarded(() => this.redis.hmget(key, ...fields));
	}

	async hset(key: string, field: string, value: string) {
		await guarded(() => this.redis.hset(key, field, value));
	}

	async hdel(key: string, field: string) {
		return (await guarded(() => this.redis.hdel(key, field))) === 1;
	}

	hvals(key: string) {
		return guarded(() => this.redis.hvals(key));
	}

	async close() {
		// QUIT that fails means the connection is already going: disconnecting is all that is left to do.
		await this.redis.quit().catch(() => this.redis.disconnect());
	}
}
