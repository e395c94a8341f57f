/** An answer in the contract's error shape: `{"error": {"code", "message", "fix", ...extra}}`. */
export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly fix: string,
		readonly extra: Record<string, unknown> = {},
	) {
		super(message);
	}

	body() {
		return { error: { code: this.code, message: this.message, fix: this.fix, ...this.extra } };
	}
}

export function isApiError(error: unknown, status?: number): error is ApiError {
	return error instanceof ApiError && (status === undefined || error.status === status);
}

export const invalidRequest = (message: string, fix = 'Correct the field it names') => new ApiError(400, 'INVALID_REQUEST', message, fix);

export const invalidNumber = (message: string) =>
	new ApiError(
		400,
		'INVALID_NUMBER',
		message,
		'Use the full international number with country code, e.g. 4915123456789, or a group ID ending in @g.us',
	);

export const unauthorized = () =>
	new ApiError(
		401,
		'UNAUTHORIZED',
		'The API key is missing or wrong',
		"Send the gateway's API_KEY in the appApiKey header (or as Authorization: Bearer <key>)",
	);

export const notOnWhatsApp = (number: string) =>
	new ApiError(
		404,
		'NOT_ON_WHATSAPP',
		`The number ${number} has no WhatsApp account`,
		'Check the number, or reach this person on another channel',
	);

export const notFound = (what: string) => new ApiError(404, 'NOT_FOUND', `${what} was not found`, 'Check the path and the ID');

export const sessionNotReady = (state: string) =>
	new ApiError(
		409,
		'SESSION_NOT_READY',
		`The WhatsApp session is not ready (${state}): scan the QR at /whatsapp-login`,
		'Open /whatsapp-login and scan the QR code with the phone (WhatsApp > Linked devices)',
	);

/** Inline media, a fetched media URL or a request body over its limit; the message names the limit's setting. */
export const mediaTooLarge = (message: string, fix: string) => new ApiError(413, 'MEDIA_TOO_LARGE', message, fix);

/** A URL the outbound policy refuses (src/outbound/policy.ts): `what` names the field, `setting` the allow-list. */
export const urlNotAllowed = (what: string, refusal: Error, setting: string) =>
	new ApiError(
		400,
		'URL_NOT_ALLOWED',
		`${what} is refused: ${refusal.message}`,
		`Use a public http(s) URL, or list its host in the gateway's ${setting}`,
	);

export const quotaExceeded = (used: number, limit: number, resetAt: Date) =>
	new ApiError(
		429,
		'QUOTA_EXCEEDED',
		`The daily quota is used up (${used} of ${limit})`,
		`Wait until ${resetAt.toISOString()}, or raise DAILY_QUOTA`,
		{ resetAt: resetAt.toISOString() },
	);

export const internalError = () =>
	new ApiError(
		500,
		'INTERNAL',
		'The gateway failed while handling the request',
		"Check the gateway's log; retry only if you know the message was not sent",
	);

export const storeUnavailable = () =>
	new ApiError(
		503,
		'STORE_UNAVAILABLE',
		"The gateway's Redis is unavailable: nothing was sent or changed",
		'Retry when Redis is back (the gateway reconnects by itself); check REDIS_URL and the Redis server',
	);

export const paced = (retryAfterMs: number, maxWaitMs: number) =>
	new ApiError(
		429,
		'PACED',
		`The suit's next send slot is ${retryAfterMs} ms away, more than MAX_SEND_WAIT_MS (${maxWaitMs} ms): nothing was sent`,
		`Retry in ${retryAfterMs} ms, or hand large lists to a campaign (POST /{suit_id}/send)`,
		{ retryAfterMs },
	);

export const campaignNotFound = (id: string) =>
	new ApiError(
		404,
		'CAMPAIGN_NOT_FOUND',
		`Campaign "${id}" was not found (never queued, or expired after its retention time)`,
		'Check the campaign ID the send answered with',
	);

export const campaignSettingsDiffer = (id: string) =>
	new ApiError(
		409,
		'CAMPAIGN_SETTINGS_DIFFER',
		`Campaign "${id}" was first queued with other settings (message, media or delays): nothing was queued`,
		'Send every chunk of a campaign with the same UOWHATSAPP settings, or use a new campaign_id',
	);

export const tooManyCampaigns = (limit: number) =>
	new ApiError(
		429,
		'TOO_MANY_CAMPAIGNS',
		`${limit} campaigns are already queued or paused (MAX_ACTIVE_CAMPAIGNS): nothing was queued`,
		'Wait for a campaign to finish, cancel one, or add the receivers to an existing campaign',
	);
