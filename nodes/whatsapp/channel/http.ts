import { WhatsAppError } from '../../../contract/errors';

export interface HttpRequest {
	method: 'GET' | 'POST' | 'DELETE';
	url: string;
	headers?: Record<string, string>;
	/** A JSON-able object, or a raw Buffer (multipart upload) with its content-type header set. */
	body?: unknown;
	qs?: Record<string, string | number>;
}

export interface HttpResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

/**
 * Sends one HTTP request with the credential applied and returns whatever status came back. Throws only when
 * no answer arrived, as a WhatsAppError of kind 'network' (never sent) or 'ambiguous' (may have been received).
 */
export type HttpRequester = (request: HttpRequest) => Promise<HttpResponse>;

/** The server's TLS certificate was not trusted: the handshake failed, so nothing was sent. */
const TLS_CERTIFICATE_CODES = new Set([
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'CERT_HAS_EXPIRED',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** A proxy refused to open a tunnel to the server (set by the kept-alive client), so nothing reached the server. */
export const PROXY_TUNNEL_REFUSED = 'ERR_PROXY_TUNNEL_REFUSED';

/** Failures in which the request cannot have reached the server. Anything else may have been received. */
const NOT_SENT_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ERR_INVALID_URL',
	PROXY_TUNNEL_REFUSED,
	...TLS_CERTIFICATE_CODES,
]);

function errorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; current && depth < 5; depth++) {
		// n8n's request helpers wrap the socket error in a NodeApiError that keeps its code only as httpCode.
		const code = (current as { code?: unknown }).code ?? (current as { httpCode?: unknown }).httpCode;
		if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

/** Classifies an error thrown by an HTTP client when no response arrived. */
export function transportFailure(error: unknown, target: string): WhatsAppError {
	const code = errorCode(error) ?? 'UNKNOWN';
	if (NOT_SENT_CODES.has(code)) {
		// The code stays out of the message: n8n replaces a message that names a socket error code with a generic one.
		return new WhatsAppError(`Could not reach ${target}`, {
			kind: 'network',
			code,
			retryable: true,
			description: `The connection to ${target} failed before the request was sent (${code})`,
			fix: TLS_CERTIFICATE_CODES.has(code)
				? `The TLS certificate of ${target} is not trusted: check the URL in the credential; a private certificate authority is trusted once its file is named in NODE_EXTRA_CA_CERTS where n8n starts`
				: `Check that ${target} is reachable from n8n and that the URL in the credential is right`,
		});
	}
	return new WhatsAppError(`The connection to ${target} broke before it answered`, {
		kind: 'ambiguous',
		code,
		retryable: false,
		description: `The request may have reached ${target}, so it was not sent again to avoid a duplicate message (${code})`,
		fix: 'Check whether the recipient got the message before sending again',
	});
}

/** Parses a response body that may be a JSON string, a Buffer or already an object. */
export function jsonBody(body: unknown): unknown {
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
	if (typeof text !== 'string') return text;
	try {
		return JSON.parse(text);
	} catch {
		// Not JSON (an HTML error page, a plain-text answer): the caller reads the text as it came.
		return text;
	}
}

export function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
	const value = key ? headers[key] : undefined;
	return Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value);
}

/** Retry-After in seconds (or an HTTP date) as milliseconds. */
export function retryAfterMs(headers: Record<string, unknown>): number | undefined {
	const value = headerValue(headers, 'retry-after');
	if (!value) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A multipart/form-data body built by hand, so the package needs no form library. */
export function multipartBody(
	fields: Record<string, string>,
	file: { field: string; data: Buffer; fileName: string; mimeType: string },
): { body: Buffer; contentType: string } {
	const boundary = `----n8nWhatsApp${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
	const parts: Buffer[] = [];
	for (const [name, value] of Object.entries(fields)) {
		parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
	}
	const safeName = file.fileName.replace(/["\r\n]/g, '_');
	parts.push(
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${safeName}"\r\nContent-Type: ${file.mimeType}\r\n\r\n`,
		),
		file.data,
		Buffer.from(`\r\n--${boundary}--\r\n`),
	);
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
