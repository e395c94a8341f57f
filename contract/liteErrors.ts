/**
 * The Lite gateway's error codes as the gateway sends them and the nodes read them (docs/lite-api.md, Errors):
 * `{"error": {"code", "message", "fix"}}` with the HTTP status each code always has. The gateway builds its answers
 * from this table (lite/src/http/errors.ts), the nodes' client maps every code in it (channel/lite.ts).
 */
export interface LiteErrorSpec {
	status: number;
	/** The fix the gateway sends unless it knows a more precise one, and the client's fallback when an answer has none. */
	fix: string;
	/** Every further send of the suit would fail the same way: a client sending a list stops at the first. */
	concernsSuit?: true;
}

export const LITE_ERROR_CODES = {
	INVALID_REQUEST: { status: 400, fix: 'Correct the field it names' },
	INVALID_NUMBER: {
		status: 400,
		fix: 'Use the full international number with country code, e.g. 4915123456789, or a group ID ending in @g.us',
	},
	URL_NOT_ALLOWED: { status: 400, fix: "Use a public http(s) URL, or list its host in the gateway's allow-list" },
	UNAUTHORIZED: {
		status: 401,
		concernsSuit: true,
		fix: "Send the gateway's API_KEY in the appApiKey header (or as Authorization: Bearer <key>)",
	},
	NOT_ON_WHATSAPP: { status: 404, fix: 'Check the number, or reach this person on another channel' },
	NOT_FOUND: { status: 404, fix: 'Check the path and the ID' },
	CAMPAIGN_NOT_FOUND: { status: 404, fix: 'Check the campaign ID the send answered with' },
	SESSION_NOT_READY: {
		status: 409,
		concernsSuit: true,
		fix: 'Open /whatsapp-login and scan the QR code with the phone (WhatsApp > Linked devices)',
	},
	CAMPAIGN_SETTINGS_DIFFER: {
		status: 409,
		fix: 'Send every chunk of a campaign with the same UOWHATSAPP settings, or use a new campaign_id',
	},
	MEDIA_TOO_LARGE: { status: 413, fix: 'Send smaller media, or raise the limit the message names' },
	UNSUPPORTED_MEDIA_TYPE: { status: 415, fix: 'Send a JSON object with Content-Type: application/json' },
	MEDIA_UNAVAILABLE: { status: 422, fix: 'Check that the media URL answers the file to anyone, quickly, without a login' },
	OPTED_OUT: {
		status: 422,
		fix: 'The person opted out (docs/opt-outs.md): leave them out, or take them off the opt-out list only if they opted in again',
	},
	TOO_MANY_WEBHOOKS: {
		status: 422,
		fix: 'Delete webhooks that are no longer used (DELETE /webhooks/{id}), or raise WEBHOOK_MAX_REGISTRATIONS',
	},
	QUOTA_EXCEEDED: { status: 429, concernsSuit: true, fix: 'Wait for the quota to reset, or raise DAILY_QUOTA' },
	PACED: { status: 429, fix: 'Retry after retryAfterMs, or hand large lists to a campaign (POST /{suit_id}/send)' },
	TOO_MANY_CAMPAIGNS: {
		status: 429,
		fix: 'Wait for a campaign to finish, cancel one, or add the receivers to an existing campaign',
	},
	INTERNAL: { status: 500, fix: "Check the gateway's log; retry only if you know the message was not sent" },
	STORE_FULL: {
		status: 507,
		fix: 'Wait for campaigns to finish (finished ones are evicted oldest first), cancel one, or run the gateway with REDIS_URL',
	},
	STORE_UNAVAILABLE: {
		status: 503,
		concernsSuit: true,
		fix: 'Retry when Redis is back (the gateway reconnects by itself); check REDIS_URL and the Redis server',
	},
} as const satisfies Record<string, LiteErrorSpec>;

export type LiteErrorCode = keyof typeof LITE_ERROR_CODES;

export function isLiteErrorCode(code: unknown): code is LiteErrorCode {
	return typeof code === 'string' && Object.prototype.hasOwnProperty.call(LITE_ERROR_CODES, code);
}
