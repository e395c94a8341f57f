import type { QuotaGrant } from '../../../contract/quota';

/**
 * The few storage operations the quota and the webhook registry need, named after their Redis commands. RedisKv
 * makes the state durable and shared; MemoryKv keeps it in this process only (no REDIS_URL), with the same
 * semantics. Campaigns have their own store (campaign/store.ts), whose steps are scripts.
 */
export interface Kv {
	/** The shared quota script (contract/quota.ts). */
	reserveQuota(key: string, limit: number, ttlSeconds: number, count: number): Promise<QuotaGrant>;
	releaseQuota(key: string, count: number): Promise<void>;
	get(key: string): Promise<string | null>;
	hget(key: string, field: string): Promise<string | null>;
	hmget(key: string, fields: string[]): Promise<Array<string | null>>;
	hset(key: string, field: string, value: string): Promise<void>;
	/** True when the field existed. */
	hdel(key: string, field: string): Promise<boolean>;
	hvals(key: string): Promise<string[]>;
	close(): Promise<void>;
}
