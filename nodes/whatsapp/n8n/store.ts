import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	IExecuteFunctions,
	INode,
	INodeCredentialTestResult,
	IWebhookFunctions,
} from 'n8n-workflow';
import { isWhatsAppError } from '../../../contract/errors';
import { processMemoryStore } from '../store/memory';
import { type RedisConnection, RedisStore } from '../store/redis';
import type { StateStore } from '../store/types';
import { recentCredentials } from './recentCredentials';

export const REDIS_CREDENTIAL = 'whatsAppRedis';

/** The optional credential every stateful node offers, tested by redisCredentialTest (registered by every node). */
export const redisCredential = { name: REDIS_CREDENTIAL, required: false, testedBy: 'whatsAppRedisTest' };

function redisConnectionOf(credentials: ICredentialDataDecryptedObject): RedisConnection {
	return {
		host: String(credentials.host ?? 'localhost'),
		port: Number(credentials.port ?? 6379),
		password: credentials.password ? String(credentials.password) : undefined,
		database: Number(credentials.database ?? 0),
		tls: Boolean(credentials.tls),
		keyPrefix: String(credentials.keyPrefix ?? ''),
		cluster: Boolean(credentials.cluster),
	};
}

/**
 * Redis when the node has a WhatsApp Shared State (Redis) credential (shared by every n8n process), else this process's
 * memory. Close it when done; closing the memory store does nothing.
 */
export async function stateStoreFor(context: IExecuteFunctions | IWebhookFunctions): Promise<StateStore> {
	if (!context.getNode().credentials?.[REDIS_CREDENTIAL]) return processMemoryStore;
	return await RedisStore.connect(redisConnectionOf(await context.getCredentials(REDIS_CREDENTIAL)));
}

/** One connection per Redis (and credential settings) in this process, shared by every webhook request. */
const processRedisStores = new Map<string, Promise<RedisStore>>();

/**
 * Like stateStoreFor, for work that comes often and briefly (webhook requests and the executions they start): the Redis connection is opened
 * once per process and reused; never close the store. A lost connection is replaced on the next call. The credential
 * is read at most every few seconds (recentCredentials).
 */
export async function processStateStoreFor(
	context: IExecuteFunctions | IWebhookFunctions,
	// n8n hands out a deep copy of the node on each getNode(): a caller that has one passes it.
	node: INode = context.getNode(),
): Promise<StateStore> {
	if (!node.credentials?.[REDIS_CREDENTIAL]) return processMemoryStore;
	const connection = redisConnectionOf(await recentCredentials(context, REDIS_CREDENTIAL, { node }));
	const key = JSON.stringify(connection);
	const cached = processRedisStores.get(key);
	// A connection that failed was thrown to the request that opened it; this one opens a new one below.
	const store = await cached?.catch(() => undefined);
	if (store?.open) return store;
	// Concurrent requests after a loss share one new connection: only the first replaces the entry.
	if (processRedisStores.get(key) === cached) {
		const connecting = RedisStore.connect(connection);
		processRedisStores.set(key, connecting);
		// The failure is thrown to the callers awaiting it below; this only forgets the failed connection.
		connecting.catch(() => processRedisStores.get(key) === connecting && processRedisStores.delete(key));
	}
	return await processRedisStores.get(key)!;
}

/** Closes the shared connections (for tests: an n8n process keeps them while it runs). */
export async function closeProcessStateStores(): Promise<void> {
	const stores = [...processRedisStores.values()];
	processRedisStores.clear();
	// A connection that never opened has nothing to close; its failure was thrown to the request that opened it.
	await Promise.all(stores.map(async (store) => await (await store.catch(() => undefined))?.close()));
}

/** What the network's error codes mean, for people who do not read them. */
const PLAIN_CAUSES: Record<string, string> = {
	ECONNREFUSED: 'nothing listens on that port',
	ENOTFOUND: 'no such host',
	EAI_AGAIN: 'the host name could not be looked up',
	ETIMEDOUT: 'no answer in time',
	ECONNRESET: 'the connection was cut (TLS on one side only?)',
};

/** The Redis credential's test: connects as the nodes do (password, database, TLS), then lets go. */
export const redisCredentialTest = {
	async whatsAppRedisTest(credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		const connection = redisConnectionOf(credential.data ?? {});
		const where = `Redis at ${connection.host}:${connection.port}`;
		try {
			await (await RedisStore.connect(connection)).close();
			return { status: 'OK', message: `Connected to ${where}, database ${connection.database}` };
		} catch (error) {
			// Anything but a WhatsAppError is a bug, and n8n shows it as such.
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
			if (!isWhatsAppError(error)) throw error;
			const cause = error.backendMessage ?? error.message;
			const plain = PLAIN_CAUSES[cause] ? `${PLAIN_CAUSES[cause]} (${cause})` : cause;
			return { status: 'Error', message: `${where} did not answer: ${plain}. ${error.fix}.` };
		}
	},
};
