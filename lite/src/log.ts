import pino, { type DestinationStream } from 'pino';

export type LogMetadata = Record<string, unknown>;

/**
 * One JSON line per event (pino), with what the event is about as metadata: `log.warn('Relay dropped an event',
 * { subscriber, ...causeOf(error) })`. Never pass a secret; a secret passed anyway is masked (see createLogger).
 */
export interface Logger {
	debug(message: string, metadata?: LogMetadata): void;
	info(message: string, metadata?: LogMetadata): void;
	warn(message: string, metadata?: LogMetadata): void;
	error(message: string, metadata?: LogMetadata): void;
}

const REDACTED = '[redacted]';

/** Metadata fields that are secrets under any name a caller might give them, at the top level or one level down. */
const SECRET_FIELDS = ['apiKey', 'appApiKey', 'authorization', 'secret', 'webhookSecret', 'appSecret', 'verifyToken', 'signature'];
const REDACTED_PATHS = [
	...SECRET_FIELDS,
	...SECRET_FIELDS.map((field) => `*.${field}`),
	...['authorization', 'appapikey', 'x-hub-signature-256', 'x-lite-signature'].map((header) => `headers["${header}"]`),
];

export interface LoggerOptions {
	level?: string;
	/**
	 * The gateway's secret values (API key, webhook secret, relay app secrets): masked wherever they appear in a
	 * line, the message and any field included, so a secret quoted in an error's text is not written either.
	 */
	secrets?: Array<string | undefined>;
	/** Where the lines go: stdout unless a test captures them. */
	destination?: DestinationStream;
}

/** Replaces each secret, as it appears inside a JSON line, with the redaction mark. */
function secretMasker(secrets: Array<string | undefined>): (line: string) => string {
	const inJson = [...new Set(secrets.filter((secret): secret is string => Boolean(secret)))]
		.map((secret) => JSON.stringify(secret).slice(1, -1))
		// The longest first, so a secret that contains another is masked whole.
		.sort((a, b) => b.length - a.length);
	return (line) => inJson.reduce((masked, secret) => masked.split(secret).join(REDACTED), line);
}

export function createLogger({
	level = 'info',
	secrets = [],
	destination = pino.destination({ dest: 1, sync: true }),
}: LoggerOptions = {}): Logger {
	const mask = secretMasker(secrets);
	const logger = pino(
		{
			level,
			base: undefined,
			timestamp: pino.stdTimeFunctions.isoTime,
			formatters: { level: (label) => ({ level: label }) },
			redact: { paths: REDACTED_PATHS, censor: REDACTED },
		},
		{ write: (line: string) => destination.write(mask(line)) },
	);
	return {
		debug: (message, metadata = {}) => logger.debug(metadata, message),
		info: (message, metadata = {}) => logger.info(metadata, message),
		warn: (message, metadata = {}) => logger.warn(metadata, message),
		error: (message, metadata = {}) => logger.error(metadata, message),
	};
}

export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

// Errors are read by their fields, not `instanceof Error`: one made by Node's core in another realm (jest's, a vm) fails it.

export function errorText(error: unknown): string {
	return typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
		? error.message
		: String(error);
}

/** An error's code (ECONNREFUSED, an API error code…), when it has one. */
export function errorCode(error: unknown): string | number | undefined {
	if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
	return typeof error.code === 'string' || typeof error.code === 'number' ? error.code : undefined;
}

/** An error as log metadata: its message and, when it has one, its code. Never the error object (it may hold headers). */
export function causeOf(error: unknown): LogMetadata {
	const code = errorCode(error);
	return { cause: errorText(error), ...(code !== undefined && { code }) };
}
