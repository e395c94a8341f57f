import './setupEnv';

// n8n-core's own copies of its DI container and of the Logger class it asks it for (not whichever ones the tests
// would resolve).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved at run time from n8n-core's folder
const fromCore = (id: string) => require(require.resolve(id, { paths: [require.resolve('n8n-core')] }));
const { Container } = fromCore('@n8n/di') as typeof import('@n8n/di');
const { Logger } = fromCore('@n8n/backend-common') as { Logger: import('@n8n/di').Constructable<object> };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
	level: LogLevel;
	message: string;
	metadata: Record<string, unknown>;
}

export interface CapturedLogs {
	entries: LogEntry[];
	/** Every entry as one JSON text, to look for a value anywhere in what was logged. */
	text(): string;
	/** Puts n8n's own logger back. */
	stop(): void;
}

/**
 * Records what nodes log through `this.logger` from now until `stop()`. n8n-core hands every execution, webhook and
 * hook context the Logger its container holds (read once per context); this puts one there that records each
 * entry instead of printing it, and inherits everything else (scoped loggers) from n8n's own.
 */
export function captureN8nLogs(): CapturedLogs {
	const n8nLogger = Container.get(Logger);
	const entries: LogEntry[] = [];
	const recorder = (level: LogLevel): PropertyDescriptor => ({
		value: (message: string, metadata: Record<string, unknown> = {}) => void entries.push({ level, message, metadata }),
	});
	// Defined, not assigned: n8n's logger makes the levels below its own read-only.
	const capturing: object = Object.create(n8nLogger, {
		debug: recorder('debug'),
		info: recorder('info'),
		warn: recorder('warn'),
		error: recorder('error'),
	});
	Container.set(Logger, capturing);
	return {
		entries,
		text: () => entries.map((entry) => JSON.stringify(entry)).join('\n'),
		stop: () => Container.set(Logger, n8nLogger),
	};
}
