import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';
import { WhatsAppRedis } from '../../credentials/WhatsAppRedis.credentials';
import { WhatsAppTrigger } from '../../nodes/WhatsAppTrigger/WhatsAppTrigger.node';
import { liteSignatureHeader, metaSignatureHeader } from '../../contract/signatures';
import { metaWebhookBody } from '../fakes/metaWebhook';
import { registerCredentialType } from '../harness/engine';
import { closeProcessStateStores } from '../../nodes/whatsapp/n8n/store';
import { startRedis, type TestRedis, uniquePrefix } from '../harness/redis';
import { startTrigger } from '../harness/webhook';

registerCredentialType(new WhatsAppRedis());

export const APP_SECRET = 'meta-app-secret-do-not-leak';
export const VERIFY_TOKEN = 'verify-token-do-not-leak';
export const LITE_SECRET = 'lite-webhook-secret-do-not-leak';
export const PHONE_NUMBER_ID = '106540352242922';
export const ACCESS_TOKEN = 'EAAG-trigger-token-do-not-leak';
export const LITE_API_KEY = 'lite-api-key-do-not-leak';

export function cloudCredentials(overrides: Record<string, string> = {}): ICredentialDataDecryptedObject {
	return {
		accessToken: ACCESS_TOKEN,
		phoneNumberId: PHONE_NUMBER_ID,
		apiVersion: 'v23.0',
		appSecret: APP_SECRET,
		verifyToken: VERIFY_TOKEN,
		baseUrl: 'http://127.0.0.1:9',
		...overrides,
	};
}

export function liteCredentials(overrides: Record<string, string> = {}): ICredentialDataDecryptedObject {
	return { url: 'http://127.0.0.1:9', apiKey: LITE_API_KEY, suitId: 'suit-1', webhookSecret: LITE_SECRET, ...overrides };
}

export function startCloudTrigger(parameters: INodeParameters = {}, credentials: Record<string, ICredentialDataDecryptedObject> = {}) {
	return startTrigger({
		nodeType: new WhatsAppTrigger(),
		parameters: { backend: 'cloud', events: ['message', 'status', 'error'], ...parameters },
		credentials: { whatsAppCloudApi: cloudCredentials(), ...credentials },
	});
}

export function startLiteTrigger(parameters: INodeParameters = {}, credentials: Record<string, ICredentialDataDecryptedObject> = {}) {
	return startTrigger({
		nodeType: new WhatsAppTrigger(),
		parameters: { backend: 'lite', events: ['message', 'status', 'session'], ...parameters },
		credentials: { whatsAppLiteApi: liteCredentials(), ...credentials },
	});
}

export const metaHeaders = (raw: string, secret = APP_SECRET) => ({ 'x-hub-signature-256': metaSignatureHeader(secret, raw) });
export const liteHeaders = (raw: string, at = Math.floor(Date.now() / 1000), secret = LITE_SECRET) => ({
	'x-lite-signature': liteSignatureHeader(secret, raw, at),
});

const CUSTOMER = '4915123456789';
let counter = 0;
export const wamid = () => `wamid.HBgNNDkxNTEyMzQ1Njc4ORUCABIYFjNFQjA${String(++counter).padStart(6, '0')}`;

/** A Cloud API webhook body with the given value parts; messages come with the sender's contact card. */
export function metaBody(value: { messages?: object[]; statuses?: object[]; errors?: object[] }, phoneNumberId = PHONE_NUMBER_ID) {
	return metaWebhookBody(
		{ ...(value.messages && { contacts: [{ profile: { name: 'Kerry Fisher' }, wa_id: CUSTOMER }] }), ...value },
		phoneNumberId,
	);
}

/** The WhatsApp Business Account ID Meta puts in `entry[].id`. */
export const WABA_ID = '102290129340398';

/** A Cloud API webhook body with one change of another field than `messages` (template and account updates). */
export function metaFieldBody(field: string, value: Record<string, unknown>) {
	return { object: 'whatsapp_business_account', entry: [{ id: WABA_ID, time: 1717430400, changes: [{ field, value }] }] };
}

/**
 * A private Redis for the calling describe block (started before its tests, stopped after them, with the
 * trigger's shared connections closed first); call `url()` inside tests.
 */
export function useTestRedis(): { url: () => string } {
	let redis: TestRedis;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		await closeProcessStateStores();
		await redis.stop();
	});
	return { url: () => redis.url };
}

/** The WhatsApp Redis credential for a test Redis, with a key prefix no other test shares. */
export function redisCredentialFor(
	redisUrl: string,
	overrides: Record<string, unknown> = {},
): Record<string, ICredentialDataDecryptedObject> {
	const url = new URL(redisUrl);
	return {
		whatsAppRedis: {
			host: url.hostname,
			port: Number(url.port || 6379),
			password: decodeURIComponent(url.password),
			database: 0,
			tls: false,
			keyPrefix: uniquePrefix(),
			...overrides,
		},
	};
}

/** An incoming message of `type` with its type-specific part. */
export function metaMessage(type: string, part: Record<string, unknown>, extra: Record<string, unknown> = {}) {
	return { from: CUSTOMER, id: wamid(), timestamp: '1717430400', type, ...part, ...extra };
}

export function metaStatus(status: string, id = wamid(), extra: Record<string, unknown> = {}) {
	return {
		id,
		status,
		timestamp: '1717430460',
		recipient_id: CUSTOMER,
		...(status !== 'failed' && {
			conversation: { id: 'CONVERSATION_ID', origin: { type: 'utility' } },
			pricing: { billable: true, pricing_model: 'CBP', category: 'utility' },
		}),
		...extra,
	};
}

/** The number of the WhatsApp account linked to the test container. */
export const LITE_ACCOUNT = '15550100001';

/** A Lite container event envelope, from a container whose session knows its linked account. */
export function liteEvent(event: string, data: Record<string, unknown>, id = `evt_${++counter}`) {
	return { id, event, suitId: 'suit-1', account: LITE_ACCOUNT, timestamp: new Date().toISOString(), data };
}

export function liteMessage(data: Record<string, unknown> = {}) {
	return {
		id: `false_${CUSTOMER}@c.us_3EB0${++counter}`,
		from: CUSTOMER,
		chatId: `${CUSTOMER}@c.us`,
		name: 'Kerry',
		fromMe: false,
		type: 'chat',
		body: 'Hello',
		timestamp: 1717430400,
		hasMedia: false,
		...data,
	};
}

export { CUSTOMER };
