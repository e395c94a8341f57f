import Redis from 'ioredis';
import { RELEASE_QUOTA_LUA, RESERVE_QUOTA_LUA } from '../../../nodes/whatsapp/store/quota';
import type { Kv } from './kv';

type QuotaCommands = Redis & {
	reserveQuota(key: string, limit: number, ttlSeconds: number, count: number): Promise<[number, number]>;
	releaseQuota(key: string, count: number): Promise<number>;
};

export class RedisKv implements Kv {
	private readonly redis: QuotaCommands;

	constructor(url: string) {
		const redis = new Redis(url, { maxRetriesPerRequest: 3 });
		// The nodes' scripts, loaded once and run by SHA (EVALSHA).
		redis.defineCommand('reserveQuota', { numberOfKeys: 1, lua: RESERVE_QUOTA_LUA });
		redis.defineCommand('releaseQuota', { numberOfKeys: 1, lua: RELEASE_QUOTA_LUA });
		this.redis = redis as QuotaCommands;
	}

	/** Resolves once Redis answers, so start-up fails early on a wrong REDIS_URL. */
	async ping(): Promise<void> {
		await this.redis.ping();
	}

	async reserveQuota(key: string, limit: number, ttlSeconds: number, count: number): Promise<[boolean, number]> {
		const [granted, used] = await this.redis.reserveQuota(key, limit, ttlSeconds, count);
		return [granted === 1, used];
	}

	async releaseQuota(key: string, count: number): Promise<void> {
		await this.redis.releaseQuota(key, count);
	}

	get(key: string) {
		return this.redis.get(key);
	}

	async set(key: string, value: string) {
		await this.redis.set(key, value);
	}

	async del(key: string) {
		await this.redis.del(key);
	}

	hget(key: string, field: string) {
		return this.redis.hget(key, field);
	}

	async hset(key: string, field: string, value: string) {
		await this.redis.hset(key, field, value);
	}

	async hdel(key: string, field: string) {
		return (await this.redis.hdel(key, field)) === 1;
	}

	hvals(key: string) {
		return this.redis.hvals(key);
	}

	async rpush(key: string, values: string[]) {
		if (values.length > 0) await this.redis.rpush(key, ...values);
	}

	lfirst(key: string) {
		return this.redis.lindex(key, 0);
	}

	lpop(key: string) {
		return this.redis.lpop(key);
	}

	llen(key: string) {
		return this.redis.llen(key);
	}

	lrange(key: string) {
		return this.redis.lrange(key, 0, -1);
	}

	async lrem(key: string, value: string) {
		await this.redis.lrem(key, 0, value);
	}

	async sadd(key: string, member: string) {
		return (await this.redis.sadd(key, member)) === 1;
	}

	async srem(key: string, member: string) {
		await this.redis.srem(key, member);
	}

	async sismember(key: string, member: string) {
		return (await this.redis.sismember(key, member)) === 1;
	}

	async close() {
		await this.redis.quit();
	}
}
