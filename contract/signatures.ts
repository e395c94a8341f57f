import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a Lite event's timestamp may be from our clock before it counts as a replay. */
export const LITE_SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export type SignatureCheck = { valid: true } | { valid: false; reason: string };

function hmacHex(secret: string, payload: Buffer | string): string {
	return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Compares secrets and signatures in constant time, so the time taken tells an attacker nothing. */
export function sameText(expected: string, given: string): boolean {
	const a = Buffer.from(expected, 'utf8');
	const b = Buffer.from(given, 'utf8');
	return a.length === b.length && timingSafeEqual(a, b);
}

/** Meta: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body bytes)>`. */
export function verifyMetaSignature(appSecret: string, rawBody: Buffer, header: string | undefined): SignatureCheck {
	if (!header) return { valid: false, reason: 'missing X-Hub-Signature-256 header' };
	const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
	if (!match) return { valid: false, reason: 'malformed X-Hub-Signature-256 header' };
	return sameText(hmacHex(appSecret, rawBody), match[1].toLowerCase())
		? { valid: true }
		: { valid: false, reason: 'signature does not match the body' };
}

export function metaSignatureHeader(appSecret: string, rawBody: Buffer | string): string {
	return `sha256=${hmacHex(appSecret, rawBody)}`;
}

/** Lite: `X-Lite-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export function liteSignatureHeader(secret: string, rawBody: Buffer | string, timestampSeconds: number): string {
	const signed = Buffer.concat([Buffer.from(`${timestampSeconds}.`), Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody)]);
	return `t=${timestampSeconds},v1=${hmacHex(secret, signed)}`;
}

/** `t` and `v1` of an X-Lite-Signature header (a key given twice: the last one). */
export function liteSignatureParts(header: string): { timestamp: number; signature?: string } {
	const parts = new Map(
		header.split(',').map((part) => {
			const [key, ...rest] = part.trim().split('=');
			return [key, rest.join('=')] as [string, string];
		}),
	);
	return { timestamp: Number(parts.get('t')), signature: parts.get('v1')?.toLowerCase() };
}

export function verifyLiteSignature(
	secret: string,
	rawBody: Buffer,
	header: string | undefined,
	nowSeconds: number,
	toleranceSeconds = LITE_SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
	if (!header) return { valid: false, reason: 'missing X-Lite-Signature header' };
	const { timestamp, signature } = liteSignatureParts(header);
	if (!Number.isInteger(timestamp) || !signature) return { valid: false, reason: 'malformed X-Lite-Signature header' };
	if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
		return {
			valid: false,
			reason: `timestamp is ${Math.abs(nowSeconds - timestamp)} s away from now (more than ${toleranceSeconds} s: replayed or clock skew)`,
		};
	}
	const expected = liteSignatureHeader(secret, rawBody, timestamp).split('v1=')[1];
	return sameText(expected, signature) ? { valid: true } : { valid: false, reason: 'signature does not match the body' };
}
