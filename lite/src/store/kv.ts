/**
 * The few storage operations the gateway needs, named after their Redis commands. RedisKv makes the state
 * durable and shared; MemoryKv keeps it in this process only (no REDIS_URL), with the same semantics.
 */
export interface Kv {
	/** The shared quota script: [granted, used after the call]. */
	reserveQuota(key: string, limit: number, ttlSeconds: number, count: number): Promise<[boolean, number]>;
	releaseQuota(key: string, count: number): Promise<void>;
	get(key: string): Promise<string | null>;
	set(key: string, value: string): Promise<void>;
	del(key: string): Promise<void>;
	hget(key: string, field: string): Promise<string | null>;
	hset(key: string, field: string, value: string): Promise<void>;
	/** True when the field existed. */
	hdel(key: string, field: string): Promise<boolean>;
	hvals(key: string): Promise<string[]>;
	rpush(key: string, values: string[]): Promise<void>;
	lfirst(key: string): Promise<string | null>;
	lpop(key: string): Promise<string | null>;
	llen(key: string): Promise<number>;
	lrange(key: string): Promise<string[]>;
	lrem(key: string, value: string): Promise<void>;
	/** True when the member was new: the atomic claim. */
	sadd(key: string, member: string): Promise<boolean>;
	srem(key: string, member: string): Promise<void>;
	sismember(key: string, member: string): Promise<boolean>;
	close(): Promise<void>;
}
