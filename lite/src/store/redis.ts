import Redis, { ReplyError } from 'ioredis';
import { storeUnavailable } from '../http/errors';
import { causeOf, type Logger } from '../../../contract/log';

/**
 * The gateway's Redis client. A command that cannot reach Redis fails after a few reconnection attempts (the
 * caller answers 503 STORE_UNAVAILABLE or pauses) instead of waiting; commands already written are never sent
 * again after a reconnect, so a script runs at most once per call (callers treat a failed call as "may have run").
 */
export function connectRedis(url: string, log: Logger): Redis {
	const redis = new Redis(url, { maxRetriesPerRequest: 2, autoResendUnfulfilledCommands: false });
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
