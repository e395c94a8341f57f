/** One line per event on stdout/stderr. Never pass secrets (API key, webhook secret) to it. */
export interface Logger {
	info(message: string): void;
	warn(message: string): void;
	error(message: string): void;
}

export const consoleLogger: Logger = {
	info: (message) => console.log(`${new Date().toISOString()} INFO ${message}`),
	warn: (message) => console.warn(`${new Date().toISOString()} WARN ${message}`),
	error: (message) => console.error(`${new Date().toISOString()} ERROR ${message}`),
};

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
