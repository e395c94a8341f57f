import { WhatsAppError, isWhatsAppError } from '../../../contract/errors';

/** What Meta's error codes mean to the user, and what the sender does about them. */
interface MetaErrorRule {
	codes: number[];
	/** Trying the same request again can help. */
	retryable: boolean;
	/** Each wait before a retry is this many times the one before (unset: it doubles, `delivery/retry.ts`). */
	backoffGrowth?: number;
	/** Every send of the sender waits the backoff too, not only this recipient's retry (`delivery/segment.ts`). */
	pausesSender?: boolean;
	/** The token or the account is unusable: every further send from this number fails the same way, so the segment stops. */
	stopsSender?: boolean;
	description: string;
	fix: string;
}

/** Meta's error codes, as docs/cloud-api.md ("Errors") lists them with what a retry, the sender and the segment do. */
const RULES: MetaErrorRule[] = [
	{
		codes: [130429],
		retryable: true,
		// The number's throughput is shared by every send from it: slowing one recipient's retry alone would not help.
		pausesSender: true,
		description: 'The phone number sent more messages per second than Meta allows',
		fix: 'Lower the messages per second in the delivery options; the send is retried with backoff',
	},
	{
		codes: [131056],
		retryable: true,
		// Meta asks for 4^n seconds between retries on the pair rate limit; the other recipients go on meanwhile.
		backoffGrowth: 4,
		description: 'Too many messages to this same recipient in a short time (pair rate limit)',
		fix: 'Wait before writing to this person again; it is retried later for this recipient only',
	},
	{
		codes: [4, 80007],
		retryable: true,
		description: 'The app or WhatsApp Business Account made too many API calls',
		fix: 'Wait a few minutes and try again; spread sends over a longer time',
	},
	{
		codes: [131000, 131016, 2, 131057, 1],
		retryable: true,
		description: 'WhatsApp is temporarily unavailable or in maintenance',
		fix: 'Try again later',
	},
	{
		codes: [190],
		retryable: false,
		stopsSender: true,
		description: 'The access token has expired or was revoked',
		fix: 'Create a new access token (a System User token does not expire) and update the WhatsApp Cloud API credential',
	},
	{
		codes: [0],
		retryable: false,
		stopsSender: true,
		description: 'Meta refused the access token',
		fix: 'Check the access token in the WhatsApp Cloud API credential',
	},
	{
		codes: [3, 10, 131005],
		retryable: false,
		stopsSender: true,
		description: 'The access token lacks a permission this call needs',
		fix: 'Give the token the whatsapp_business_messaging and whatsapp_business_management permissions',
	},
	{
		codes: [100],
		retryable: false,
		description: 'Meta rejected a parameter of the request',
		fix: 'Check the field Meta names in its message (phone number ID, media, template name or language)',
	},
	{ codes: [131008], retryable: false, description: 'A required parameter is missing', fix: 'Fill in the field Meta names in its message' },
	{
		codes: [131009],
		retryable: false,
		description: 'A parameter value is not valid (for example more than 10 list rows or a too long title)',
		fix: 'Correct the value Meta names in its message',
	},
	{
		codes: [131021],
		retryable: false,
		description: 'The recipient is the business phone number itself',
		fix: 'Send to a different number than the sending business number',
	},
	{ codes: [131051], retryable: false, description: 'WhatsApp does not support this message type', fix: 'Use a supported message type' },
	{
		codes: [131026],
		retryable: false,
		description: 'The message could not be delivered: the number may not be on WhatsApp, or uses an old app version',
		fix: 'Check the number, or reach this person on another channel',
	},
	{
		codes: [131047],
		retryable: false,
		description: 'More than 24 hours have passed since this person last wrote, so free-form messages are not allowed',
		fix: 'Send an approved template with WhatsApp Template Send instead',
	},
	{
		codes: [131048, 131049, 368, 131031],
		retryable: false,
		stopsSender: true,
		description: 'Meta is limiting this number for spam, quality or policy reasons',
		fix: "Stop the campaign and check the number's quality rating and account status in WhatsApp Manager",
	},
	{
		codes: [131062],
		retryable: false,
		description: 'This message cannot be sent to a business-scoped user ID (BSUID): Meta needs the phone number for it',
		fix: "Send to the person's phone number, or first send a template with a Request Contact Info button so they can share it",
	},
	{
		codes: [131050],
		retryable: false,
		description: 'The recipient stopped marketing messages from this business',
		fix: 'Do not send marketing messages to this person; remove them from the segment',
	},
	{
		codes: [132000],
		retryable: false,
		description: 'The number of template parameters does not match what the template expects',
		fix: 'Give exactly one value per placeholder of the template',
	},
	{
		codes: [132001],
		retryable: false,
		description: 'The template does not exist in this language, or is not approved',
		fix: 'Pick an approved template and its exact language code from the list',
	},
	{
		codes: [132005],
		retryable: false,
		description: 'A template parameter makes the message too long',
		fix: 'Shorten the values mapped into the template',
	},
	{
		codes: [132007],
		retryable: false,
		description: "The template content breaks WhatsApp's policy",
		fix: 'Edit the template or the values put into it',
	},
	{
		codes: [132012],
		retryable: false,
		description: 'A template parameter has the wrong format (named templates need parameter_name on each value)',
		fix: 'Map each placeholder by its name as the template defines it',
	},
	{
		codes: [132015],
		retryable: false,
		description: 'The template is paused for low quality',
		fix: 'Improve or replace the template in WhatsApp Manager',
	},
	{ codes: [132016], retryable: false, description: 'The template is disabled', fix: 'Use another template' },
];

/** How a send failure's message names Meta's code ("WhatsApp error 131047: …"); the ledger keeps that message. */
const CODE_LABEL = 'WhatsApp error';

const RULE_BY_CODE = new Map<number, MetaErrorRule>(RULES.flatMap((rule) => rule.codes.map((code) => [code, rule])));
const PERMISSION_RANGE = { from: 200, to: 299 };

export interface MetaErrorBody {
	error?: {
		message?: string;
		type?: string;
		code?: number;
		error_subcode?: number;
		error_data?: { details?: string };
		fbtrace_id?: string;
	};
}

/** The rule of a Meta code: its own, the permission rule for a code in Meta's permission range, or undefined. */
function ruleOfCode(code: number): MetaErrorRule | undefined {
	return RULE_BY_CODE.get(code) ?? (code >= PERMISSION_RANGE.from && code <= PERMISSION_RANGE.to ? RULE_BY_CODE.get(10) : undefined);
}

function ruleFor(code: number | undefined, httpStatus: number): MetaErrorRule {
	const rule = code === undefined ? undefined : ruleOfCode(code);
	if (rule) return rule;
	if (httpStatus >= 500) {
		return { codes: [], retryable: true, description: 'Meta answered with a server error', fix: 'Try again later' };
	}
	return { codes: [], retryable: false, description: 'Meta refused the request', fix: "Read Meta's message for what to change" };
}

/** Turns Meta's error answer into a WhatsAppError. Branches on Meta's code, not on the HTTP status. */
export function metaError(body: unknown, httpStatus: number, retryAfterMs?: number): WhatsAppError {
	if (httpStatus >= 500 && !(body as MetaErrorBody | undefined)?.error) {
		// No Meta error body: a proxy or Meta itself failed somewhere after the request arrived, and Meta may have
		// accepted the message. Only a repeat-safe call (upload, mark as read) may be tried again.
		return new WhatsAppError(`WhatsApp answered HTTP ${httpStatus} without an error`, {
			kind: 'ambiguous',
			retryable: false,
			description: `A server error without Meta's error body: Meta may have accepted the message, so it was not sent again`,
			fix: 'Check whether the recipient got the message before sending again',
			httpStatus,
			retryAfterMs,
		});
	}
	const error = (body as MetaErrorBody | undefined)?.error ?? {};
	const code = typeof error.code === 'number' ? error.code : undefined;
	const rule = ruleFor(code, httpStatus);
	const details = error.error_data?.details;
	const backendMessage = [error.message, details].filter(Boolean).join(': ') || undefined;
	const label = code !== undefined ? `${CODE_LABEL} ${code}` : `WhatsApp answered HTTP ${httpStatus}`;
	return new WhatsAppError(`${label}: ${rule.description}`, {
		kind: 'api',
		code,
		retryable: rule.retryable,
		stopsSender: rule.stopsSender,
		description: details ? `${rule.description} (${details})` : rule.description,
		fix: rule.fix,
		httpStatus,
		retryAfterMs,
		backendMessage,
		fbtraceId: error.fbtrace_id,
	});
}

/** What a Meta error code means in plain language (a failed status's code, say), or undefined for a code the table lacks. */
export function metaErrorDescription(code: number): string | undefined {
	return ruleOfCode(code)?.description;
}

/**
 * What the sender does about a failure, for one made from Meta's answer (a code in the table); undefined for any
 * other failure (another backend's, a network error): the retry's and the sender's defaults apply then.
 */
export function senderRuleOf(error: unknown): Pick<MetaErrorRule, 'backoffGrowth' | 'pausesSender'> | undefined {
	if (!isWhatsAppError(error) || error.kind !== 'api' || typeof error.code !== 'number') return undefined;
	return ruleOfCode(error.code);
}

/** The Meta code a send failure's message names (as the campaign ledger keeps it), or undefined. */
export function metaErrorCodeIn(message: string): number | undefined {
	const match = new RegExp(`^${CODE_LABEL} (\\d+):`).exec(message);
	return match ? Number(match[1]) : undefined;
}
