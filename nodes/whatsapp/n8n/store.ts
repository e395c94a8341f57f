import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { processMemoryStore } from '../store/memory';
import { RedisStore } from '../store/redis';
import type { StateStore } from '../store/types';

export const REDIS_CREDENTIAL = 'whatsAppRedis';

/** The optional credential every stateful node offers. */
export const redisCredential = { name: REDIS_CREDENTIAL, required: false };

export const STATE_NOTICE =
	'Without a WhatsApp Redis credential, quota, campaign ledger, pace and de-duplication are kept in this n8n process only: correct for a single n8n instance, not for queue mode with several workers.';

/**
 * Redis when the node has a WhatsApp Redis credential (shared by every n8n process), else this process's
 * memory. Close it when done; closing the memory store does nothing.
 */
export async function stateStoreFor(context: IExecuteFunctions | IWebhookFunctions): Promise<StateStore> {
	if (!context.getNode().credentials?.[REDIS_CREDENTIAL]) return processMemoryStore;
	const credentials = await context.getCredentials(REDIS_CREDENTIAL);
	return await RedisStore.connect({
		host: String(credentials.host ?? 'localhost'),
		port: Number(credentials.port ?? 6379),
		password: credentials.password ? String(credentials.password) : undefined,
		database: Number(credentials.database ?? 0),
		tls: Boolean(credentials.tls),
		keyPrefix: String(credentials.keyPrefix ?? ''),
	});
}
