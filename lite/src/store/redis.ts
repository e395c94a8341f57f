import Redis, { Cluster, ReplyError, type RedisOptions } from 'ioredis';
import { storeUnavailable } from '../http/errors';
import { causeOf, type Logger } from '../../../contract/log';

/** Where the gateway's Redis is: one server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES, some of its nodes). */
export interface RedisTarget {
	url?: string;
	clusterNodes?: string[];
}

/** A Cluster node as `host:port` or `redis[s]://[user:password@]host:port`: its address, and how to log in (the first node's). */
function clusterNode(entry: string): { host: string; port: number; login: RedisOptions } {
	const url = new URL(entry.includes('://') ? entry : `redis://${entry}`);
	return {
		host: url.hostname,
		port: Number(url.port || 6379),
		login: {
			...(url.username && { username: decodeURIComponent(url.username) }),
			...(url.password && { password: decodeURIComponent(url.password) }),
			...(url.protocol === 'rediss:' && { tls: {} }),
		},
	};
}

/**
 * The gateway's Redis client. A command that cannot reach Redis fails after a few reconnection attempts (the
 * caller answers 503 STORE_UNAVAILABLE or pauses) instead of waiting; commands already written are never sent
 * again after a reconnect, so a script runs at most once per call (callers treat a failed call as "may have run").
 */
export function connectRedis(target: RedisTarget, log: Logger): Redis | Cluster {
	const options: RedisOptions = { maxRetriesPerRequest: 2, autoResendUnfulfilledCommands: false };
	const nodes = target.clusterNodes?.map(clusterNode);
	const redis = nodes?.length
		? new Cluster(
				nodes.map(({ host, port }) => ({ host, port })),
				{ redisOptions: { ...options, ...nodes[0].login } },
			)
		: new Redis(target.url!, options);
	let down = false;
	redis.on('error', (error: Error) => {
		if (down) return;
		down = true;
		log.warn('Redis unavailable: campaigns pause and routes that need Redis answer 503 until it is back', causeOf(error));
	});
	redis.on('ready', () => {
		if (down) log.info('Redis is back');
		down = false;
	});
	return redis;
}

/** Runs a Redis call; losing Redis becomes 503 STORE_UNAVAILABLE, an error Redis answered stays what it is (a bug). */
export async function guarded<T>(call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (error) {
		if (error instanceof ReplyError) throw error;
		throw storeUnavailable();
	}
}
