import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The key from `appApiKey` (the Lite spec's header) or `Authorization: Bearer <key>`. */
function presentedKey(headers: IncomingHttpHeaders): string | undefined {
	const header = headers['appapikey'];
	if (typeof header === 'string') return header;
	const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
	return bearer?.[1];
}

/**
 * Checks requests against the API key in constant time (both sides hashed first, so neither the key's
 * content nor its length leaks through timing). Without a key (sandbox demo) every request passes.
 */
export function apiKeyCheck(apiKey: string | undefined): (headers: IncomingHttpHeaders) => boolean {
	if (!apiKey) return () => true;
	const expected = digest(apiKey);
	return (headers) => {
		const given = presentedKey(headers);
		return given !== undefined && timingSafeEqual(digest(given), expected);
	};
}
