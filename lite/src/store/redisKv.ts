import type { Cluster, Redis } from 'ioredis';
import { type QuotaGrant, quotaGrant, type QuotaReply, QUOTA_SCRIPT_DIR, QUOTA_SCRIPTS } from '../../../contract/quota';
import { defineScripts } from '../../../contract/redis/scripts';
import type { Kv } from './kv';
import { guarded } from './redis';

/** Kv in Redis; every call answers 503 STORE_UNAVAILABLE when Redis cannot be reached. */
export class RedisKv implements Kv {
	private readonly quota;

	constructor(private readonly redis: Redis | Cluster) {
		// The quota's scripts, the same the nodes run (contract/redis/).
		this.quota = defineScripts(redis, QUOTA_SCRIPT_DIR, QUOTA_SCRIPTS);
	}

	async reserveQuota(key: string, limit: number, ttlSeconds: number, count: number): Promise<QuotaGrant> {
		return quotaGrant((await guarded(() => this.quota.reserveQuota(key, limit, ttlSeconds, count))) as QuotaReply);
	}

	async releaseQuota(key: string, count: number): Promise<void> {
		await guarded(() => this.quota.releaseQuota(key, count));
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
