import { isWhatsAppError } from './errors';

/**
 * What the engine and the gateway tell a self-hoster who debugs them (store outages, retries, refusals, dropped
 * deliveries). The nodes hand in n8n's logger (`this.logger`), which has this shape, and the gateway its pino logger
 * (lite/src/log.ts); neither half knows the other's. Never log a secret (token, app secret, API key, signature) nor a whole error object (an HTTP error carries its
 * request's headers): log `causeOf(error)`.
 */
export type LogMetadata = Record<string, unknown>;

export interface Logger {
	debug(message: string, metadata?: LogMetadata): void;
	info(message: string, metadata?: LogMetadata): void;
	warn(message: string, metadata?: LogMetadata): void;
	error(message: string, metadata?: LogMetadata): void;
}

/** For code run where no logger exists (benches, unit tests of one module); the nodes and the gateway always pass one. */
export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

// Errors are read by their fields, not `instanceof Error`: one made by Node's core in another realm (jest's, a vm) fails it.

/** An error's message, whatever was thrown. */
export function errorMessage(error: unknown): string {
	return typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
		? error.message
		: String(error);
}

/** An error's code (a Meta code, REDIS_UNAVAILABLE, ECONNREFUSED…), when it has one. */
export function errorCode(error: unknown): string | number | undefined {
	if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
	return typeof error.code === 'string' || typeof error.code === 'number' ? error.code : undefined;
}

/**
 * An error as log metadata: its message and, when it has them, its code (a Meta code, REDIS_UNAVAILABLE…) and what
 * the backend said (Meta's text, ECONNREFUSED…).
 */
export function causeOf(error: unknown): LogMetadata {
	const code = errorCode(error);
	const backendMessage = isWhatsAppError(error) ? error.backendMessage : undefined;
	return {
		cause: errorMessage(error),
		...(code !== undefined && { code }),
		...(backendMessage && { backendMessage }),
	};
}
