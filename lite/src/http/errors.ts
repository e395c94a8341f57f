import { LITE_ERROR_CODES, type LiteErrorCode } from '../../../contract/liteErrors';

/**
 * An answer in the contract's error shape: `{"error": {"code", "message", "fix", ...extra}}`. The code decides the
 * HTTP status and the default fix (contract/liteErrors.ts, shared with the nodes' client).
 */
export class ApiError extends Error {
	readonly status: number;
	readonly fix: string;

	constructor(
		readonly code: LiteErrorCode,
		message: string,
		fix?: string,
		readonly extra: Record<string, unknown> = {},
	) {
		super(message);
		this.status = LITE_ERROR_CODES[code].status;
		this.fix = fix ?? LITE_ERROR_CODES[code].fix;
	}

	body() {
		return { error: { code: this.code, message: this.message, fix: this.fix, ...this.extra } };
	}
}

export function isApiError(error: unknown, status?: number): error is ApiError {
	return error instanceof ApiError && (status === undefined || error.status === status);
}

export const invalidRequest = (message: string, fix?: string, extra?: Record<string, unknown>) =>
	new ApiError('INVALID_REQUEST', message, fix, extra);

export const invalidNumber = (message: string) => new ApiError('INVALID_NUMBER', message);

export const unauthorized = (message = 'The API key is missing or wrong') => new ApiError('UNAUTHORIZED', message);

export const notOnWhatsApp = (number: string) => new ApiError('NOT_ON_WHATSAPP', `The number ${number} has no WhatsApp account`);

export const notFound = (what: string) => new ApiError('NOT_FOUND', `${what} was not found`);

export const sessionNotReady = (state: string) =>
	new ApiError('SESSION_NOT_READY', `The WhatsApp session is not ready (${state}): scan the QR at /whatsapp-login`);

/** Inline media, a fetched media URL or a request body over its limit; the message names the limit's setting. */
export const mediaTooLarge = (message: string, fix: string) => new ApiError('MEDIA_TOO_LARGE', message, fix);

export const unsupportedMediaType = (contentType: string | undefined) =>
	new ApiError('UNSUPPORTED_MEDIA_TYPE', `The request body is ${contentType ?? 'without a Content-Type'}, not JSON`);

export const mediaUnavailable = (message: string) => new ApiError('MEDIA_UNAVAILABLE', message);

/** A URL the outbound policy refuses (src/outbound/policy.ts): `what` names the field, `setting` the allow-list. */
export const urlNotAllowed = (what: string, refusal: Error, setting: string) =>
	new ApiError(
		'URL_NOT_ALLOWED',
		`${what} is refused: ${refusal.message}`,
		`Use a public http(s) URL, or list its host in the gateway's ${setting}`,
	);

export const tooManyWebhooks = (limit: number) =>
	new ApiError('TOO_MANY_WEBHOOKS', `This gateway already has ${limit} webhooks, its limit`);

export const quotaExceeded = (used: number, limit: number, resetAt: Date) =>
	new ApiError(
		'QUOTA_EXCEEDED',
		`The daily quota is used up (${used} of ${limit})`,
		`Wait until ${resetAt.toISOString()}, or raise DAILY_QUOTA`,
		{ resetAt: resetAt.toISOString() },
	);

export const internalError = () => new ApiError('INTERNAL', 'The gateway failed while handling the request');

export const storeUnavailable = () => new ApiError('STORE_UNAVAILABLE', "The gateway's Redis is unavailable: nothing was sent or changed");

export const paced = (retryAfterMs: number, maxWaitMs: number) =>
	new ApiError(
		'PACED',
		`The suit's next send slot is ${retryAfterMs} ms away, more than MAX_SEND_WAIT_MS (${maxWaitMs} ms): nothing was sent`,
		`Retry in ${retryAfterMs} ms, or hand large lists to a campaign (POST /{suit_id}/send)`,
		{ retryAfterMs },
	);

export const campaignNotFound = (id: string) =>
	new ApiError('CAMPAIGN_NOT_FOUND', `Campaign "${id}" was not found (never queued, or expired after its retention time)`);

export const campaignSettingsDiffer = (id: string) =>
	new ApiError(
		'CAMPAIGN_SETTINGS_DIFFER',
		`Campaign "${id}" was first queued with other settings (message, media or delays): nothing was queued`,
	);

export const tooManyCampaigns = (limit: number) =>
	new ApiError('TOO_MANY_CAMPAIGNS', `${limit} campaigns are already queued or paused (MAX_ACTIVE_CAMPAIGNS): nothing was queued`);

export const storeFull = (neededBytes: number, maxBytes: number) =>
	new ApiError(
		'STORE_FULL',
		`The gateway's in-process store (no REDIS_URL) cannot take ${neededBytes} more bytes: running and paused campaigns hold its limit of ${maxBytes} bytes (MEMORY_STORE_MAX_BYTES): nothing was queued`,
		undefined,
		{ maxBytes },
	);

/** A single send to someone on the suit's opt-out list (`reason`: `opted out on 2026-05-01 ("STOP")`). */
export const optedOut = (recipient: string, reason: string) =>
	new ApiError('OPTED_OUT', `${recipient} ${reason}: nothing was sent`, undefined, { reason });
