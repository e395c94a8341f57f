import pino, { type DestinationStream } from 'pino';

import type { Logger } from '../../contract/log';

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

/**
 * The gateway's logger: one JSON line per event (pino), with what the event is about as metadata: `log.warn('Relay
 * dropped an event', { subscriber, ...causeOf(error) })`. Never pass a secret; a secret passed anyway is masked.
 */
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
