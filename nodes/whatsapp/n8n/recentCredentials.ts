import type { ICredentialDataDecryptedObject, IExecuteFunctions, INode, IWebhookFunctions } from 'n8n-workflow';

/**
 * How long a credential read for the trigger's requests is reused in this process. Each getCredentials() costs a
 * database read and a decryption, and in n8n 2.x, outside a running execution (a webhook request), also an
 * expression isolate that n8n creates and throws away (docs/n8n-webhooks.md): as much as the rest of the request.
 * A credential changed in n8n is seen by the trigger at most this much later (a delivery signed with a new secret
 * re-reads it at once: see the trigger's webhook()).
 */
export const CREDENTIAL_REUSE_MS = 5_000;

interface Reading {
	at: number;
	data: Promise<ICredentialDataDecryptedObject>;
}

/** Per credential type and ID. Credentials are never written back, so sharing one object is safe. */
const readings = new Map<string, Reading>();

/**
 * The node's credential of `type`, as read at most CREDENTIAL_REUSE_MS ago in this process (`fresh`: read now). A
 * failed read is not kept. `node` is the caller's copy of the node (n8n deep-copies it on each getNode()).
 */
export async function recentCredentials(
	context: IWebhookFunctions | IExecuteFunctions,
	type: string,
	{ node = context.getNode(), fresh = false }: { node?: INode; fresh?: boolean } = {},
): Promise<ICredentialDataDecryptedObject> {
	const id = node.credentials?.[type]?.id;
	if (!id) return await context.getCredentials(type);
	const key = `${type}:${id}`;
	const now = Date.now();
	const kept = readings.get(key);
	if (!fresh && kept && now - kept.at < CREDENTIAL_REUSE_MS) return await kept.data;
	const reading: Reading = { at: now, data: context.getCredentials(type) };
	readings.set(key, reading);
	// The failure itself is thrown to the caller below; this only forgets the failed read.
	reading.data.catch(() => readings.get(key) === reading && readings.delete(key));
	return await reading.data;
}
