import { headerValue } from '../channel/http';
import type { Backend } from '../channel/types';
import { invalidInput, type WhatsAppError } from '../../../contract/errors';
import type { InboundEvent } from './event';
import { isObject } from './normalise';
import { normaliseCloud } from './normaliseCloud';
import { normaliseLite } from './normaliseLite';
import { relaySubscriberSecret } from './relay';
import { liteSignatureParts, sameText, type SignatureCheck, verifyLiteSignature, verifyMetaSignature } from '../../../contract/signatures';

export interface Reply {
	status: number;
	contentType: 'text/plain' | 'application/json';
	body: string;
}

/** What differs between backends on the receiving side: how a request proves where it came from, and its shape. */
export interface InboundSource {
	readonly backend: Backend;
	/** The credential field holding the signing secret, when it is empty (checked on activation). */
	missingSecret(): WhatsAppError | undefined;
	verify(rawBody: Buffer, headers: Record<string, unknown>, nowSeconds: number): SourceCheck;
	/** The answer to a GET (Meta's verification handshake). */
	answerGet(query: Record<string, unknown>): Reply;
	/** Why a verified body is not for this credential (Lite: another suit), or undefined. */
	foreignSource(body: unknown): string | undefined;
	normalise(body: unknown): InboundEvent[];
}

/** A valid Lite check carries the signature, so the same signed request can be refused when it comes again. */
export type SourceCheck = SignatureCheck & { replaySignature?: string };

export const plain = (status: number, body: string): Reply => ({ status, contentType: 'text/plain', body });

function secretMissing(field: string, credential: string): WhatsAppError {
	return invalidInput(
		field,
		'',
		`is empty in the ${credential} credential, so webhook signatures cannot be checked`,
		`Fill in ${field} in the credential (or, only for a test set-up, turn off Verify Signatures)`,
	);
}

/** Meta: X-Hub-Signature-256 with the app secret; GET answers the verification challenge with the verify token. */
function cloudSource(credentials: Record<string, unknown>): InboundSource {
	const appSecret = String(credentials.appSecret ?? '');
	const verifyToken = String(credentials.verifyToken ?? '');
	return {
		backend: 'cloud',
		missingSecret: () => (appSecret ? undefined : secretMissing('App Secret', 'WhatsApp Cloud API')),
		verify: (rawBody, headers) =>
			appSecret
				? verifyMetaSignature(appSecret, rawBody, headerValue(headers, 'x-hub-signature-256'))
				: { valid: false, reason: 'the credential has no App Secret' },
		answerGet(query) {
			const challenge = query['hub.challenge'];
			const token = query['hub.verify_token'];
			if (query['hub.mode'] !== 'subscribe' || typeof challenge !== 'string' || typeof token !== 'string') {
				return plain(400, "Expected Meta's verification request (hub.mode=subscribe, hub.verify_token, hub.challenge)");
			}
			if (!verifyToken || !sameText(token, verifyToken))
				return plain(403, "hub.verify_token does not match the credential's Webhook Verify Token");
			return plain(200, challenge);
		},
		foreignSource: () => undefined,
		normalise: normaliseCloud,
	};
}

/** A Lite-format signature (timestamped, 5-minute window); a valid one is the request's fingerprint against replays. */
function timestampedCheck(secret: string, rawBody: Buffer, header: string | undefined, nowSeconds: number): SourceCheck {
	const check = verifyLiteSignature(secret, rawBody, header, nowSeconds);
	// Valid: the header's v1 is the one HMAC of this body and timestamp.
	return check.valid ? { ...check, replaySignature: liteSignatureParts(header!).signature } : check;
}

/** Lite: X-Lite-Signature (timestamped, 5-minute window) with the webhook signing secret; no GET handshake. */
function liteSource(credentials: Record<string, unknown>): InboundSource {
	const secret = String(credentials.webhookSecret ?? '');
	const suitId = String(credentials.suitId ?? '');
	return {
		backend: 'lite',
		missingSecret: () => (secret ? undefined : secretMissing('Webhook Signing Secret', 'WhatsApp Lite Container API')),
		verify: (rawBody, headers, nowSeconds) =>
			secret
				? timestampedCheck(secret, rawBody, headerValue(headers, 'x-lite-signature'), nowSeconds)
				: { valid: false, reason: 'the credential has no Webhook Signing Secret' },
		answerGet: () => plain(405, 'A Lite container only POSTs events here'),
		foreignSource(body) {
			const given = isObject(body) ? body.suitId : undefined;
			if (!suitId || given === suitId) return undefined;
			return `suitId ${JSON.stringify(given ?? null)} is not the credential's suit "${suitId}": this trigger takes only its own suit's events`;
		},
		normalise: normaliseLite,
	};
}

/**
 * Cloud through the relay: Meta's deliveries cut down for this trigger, signed with its own secret
 * (X-Relay-Signature, derived from the relay credential's API key and the trigger's URL); Meta's handshake goes to
 * the relay, not here.
 */
export function relaySource(credentials: Record<string, unknown>, webhookUrl: string): InboundSource {
	const apiKey = String(credentials.apiKey ?? '');
	const secret = apiKey && relaySubscriberSecret(apiKey, webhookUrl);
	return {
		backend: 'cloud',
		missingSecret: () => (apiKey ? undefined : secretMissing('API Key', 'WhatsApp Cloud Webhook Relay API')),
		verify: (rawBody, headers, nowSeconds) =>
			secret
				? timestampedCheck(secret, rawBody, headerValue(headers, 'x-relay-signature'), nowSeconds)
				: { valid: false, reason: 'the relay credential has no API Key' },
		answerGet: () => plain(405, "This trigger receives through the relay: Meta's verification goes to the relay's /meta/<app> URL"),
		foreignSource: () => undefined,
		normalise: normaliseCloud,
	};
}

/** The receiving side of a backend, from its decrypted credential. */
export function inboundSource(backend: Backend, credentials: Record<string, unknown>): InboundSource {
	return backend === 'cloud' ? cloudSource(credentials) : liteSource(credentials);
}
