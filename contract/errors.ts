/**
 * Every failure the engine reports is a WhatsAppError: it says what went wrong in plain language and how to fix
 * it, whether trying again can help, and (for Meta) Meta's own code. Nodes turn it into NodeApiError or
 * NodeOperationError with the item index.
 */
export type ErrorKind =
	/** Bad input, found before any request. */
	| 'validation'
	/** The backend cannot carry this message type or operation. */
	| 'capability'
	/** The backend answered with an error. */
	| 'api'
	/** The request was never sent (connection refused, DNS): safe to try again. */
	| 'network'
	/** The connection broke after the request may have reached the backend: resending could deliver twice. */
	| 'ambiguous'
	/** A daily quota or cap stops the send. */
	| 'quota';

export interface WhatsAppErrorDetails {
	kind: ErrorKind;
	description: string;
	fix: string;
	code?: number | string;
	retryable?: boolean;
	/**
	 * Every further send from this sender would fail the same way (token expired, session logged out, quota used
	 * up, state store down): the segment stops and leaves the rest unsent. Set by each backend's error mapping.
	 */
	stopsSender?: boolean;
	field?: string;
	httpStatus?: number;
	retryAfterMs?: number;
	/** When a used-up daily quota resets (ISO time), as the backend said. */
	resetAt?: string;
	/** Meta's own message and error_data.details, kept for the user to read. */
	backendMessage?: string;
	fbtraceId?: string;
}

export class WhatsAppError extends Error {
	readonly kind: ErrorKind;
	readonly description: string;
	readonly fix: string;
	readonly code?: number | string;
	readonly retryable: boolean;
	readonly stopsSender: boolean;
	readonly field?: string;
	readonly httpStatus?: number;
	readonly retryAfterMs?: number;
	readonly resetAt?: string;
	readonly backendMessage?: string;
	readonly fbtraceId?: string;
	/** How often it was tried, once the retry policy gave up. */
	attempts?: number;

	constructor(message: string, details: WhatsAppErrorDetails) {
		super(message);
		this.name = 'WhatsAppError';
		this.kind = details.kind;
		this.description = details.description;
		this.fix = details.fix;
		this.code = details.code;
		this.retryable = details.retryable ?? false;
		this.stopsSender = details.stopsSender ?? false;
		this.field = details.field;
		this.httpStatus = details.httpStatus;
		this.retryAfterMs = details.retryAfterMs;
		this.resetAt = details.resetAt;
		this.backendMessage = details.backendMessage;
		this.fbtraceId = details.fbtraceId;
	}

	/** The fields an error output item carries (continueOnFail). */
	toJSON() {
		return {
			message: this.message,
			kind: this.kind,
			...(this.code !== undefined && { code: this.code }),
			retryable: this.retryable,
			description: this.description,
			fix: this.fix,
			...(this.field && { field: this.field }),
			...(this.backendMessage && { backendMessage: this.backendMessage }),
			...(this.fbtraceId && { fbtraceId: this.fbtraceId }),
			...(this.attempts && { attempts: this.attempts }),
		};
	}
}

export function isWhatsAppError(error: unknown): error is WhatsAppError {
	return error instanceof WhatsAppError;
}

/** Shows a value in an error message: quoted, shortened, never the whole of a long text. */
export function showValue(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	const shortened = text.length > 60 ? `${text.slice(0, 57)}...` : text;
	return typeof value === 'string' ? `"${shortened}"` : shortened;
}

/** A validation error naming the field, the value and the fix. */
export function invalidInput(field: string, value: unknown, problem: string, fix: string): WhatsAppError {
	return new WhatsAppError(`${field} ${showValue(value)} ${problem}`, {
		kind: 'validation',
		field,
		description: `${field} ${showValue(value)} ${problem}`,
		fix,
	});
}
