import { DEFAULT_DAILY_QUOTA } from '../../nodes/whatsapp/store/quota';

export type DriverName = 'sandbox' | 'wwebjs';

export interface Config {
	port: number;
	/** Undefined only for the sandbox demo, which then runs without authentication. */
	apiKey?: string;
	suitId: string;
	redisUrl?: string;
	/** Prefixed to every Redis key (tests use a unique one per run). */
	keyPrefix: string;
	webhookSecret?: string;
	webhookMaxAttempts: number;
	webhookRetryBaseMs: number;
	driver: DriverName;
	dailyQuota: number;
	minDelayMinutes: number;
	maxDelayMinutes: number;
	/** How long one "minute" of campaign delay lasts; tests shrink it to milliseconds. */
	delayUnitMs: number;
	sessionDir: string;
	chromiumPath: string;
	sandboxAckDelayMs: number;
	/** How long the sandbox waits before "scanning" its QR; negative: never (the session stays unauthenticated). */
	sandboxLoginDelayMs: number;
	maxInlineMediaBytes: number;
}

type Env = Record<string, string | undefined>;

function number(env: Env, name: string, fallback: number, min = 0): number {
	const raw = env[name];
	if (raw === undefined || raw.trim() === '') return fallback;
	const value = Number(raw);
	if (!Number.isFinite(value) || value < min) throw new Error(`${name}="${raw}" is not a number of at least ${min}`);
	return value;
}

function text(env: Env, name: string): string | undefined {
	const value = env[name]?.trim();
	return value ? value : undefined;
}

/** Reads the gateway's settings from the environment; throws a plain-language error for a wrong value. */
export function loadConfig(env: Env = process.env): Config {
	const driver = (text(env, 'DRIVER') ?? 'sandbox') as DriverName;
	if (driver !== 'sandbox' && driver !== 'wwebjs') throw new Error(`DRIVER="${driver}" must be "sandbox" or "wwebjs"`);
	const apiKey = text(env, 'API_KEY');
	if (!apiKey && driver !== 'sandbox') throw new Error('API_KEY is required with DRIVER=wwebjs: set it to a long random string');
	const minDelayMinutes = number(env, 'MIN_DELAY_MINUTES', 3);
	const maxDelayMinutes = number(env, 'MAX_DELAY_MINUTES', minDelayMinutes * 2, minDelayMinutes);
	return {
		port: number(env, 'PORT', 3000),
		apiKey,
		suitId: text(env, 'SUIT_ID') ?? 'default',
		redisUrl: text(env, 'REDIS_URL'),
		keyPrefix: text(env, 'REDIS_KEY_PREFIX') ?? '',
		webhookSecret: text(env, 'WEBHOOK_SECRET'),
		webhookMaxAttempts: number(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1),
		webhookRetryBaseMs: number(env, 'WEBHOOK_RETRY_BASE_MS', 1000),
		driver,
		dailyQuota: number(env, 'DAILY_QUOTA', DEFAULT_DAILY_QUOTA),
		minDelayMinutes,
		maxDelayMinutes,
		delayUnitMs: number(env, 'DELAY_UNIT_MS', 60_000),
		sessionDir: text(env, 'SESSION_DIR') ?? './.wwebjs_auth',
		chromiumPath: text(env, 'CHROMIUM_PATH') ?? '/usr/bin/chromium',
		sandboxAckDelayMs: number(env, 'SANDBOX_ACK_DELAY_MS', 500),
		sandboxLoginDelayMs: number(env, 'SANDBOX_LOGIN_DELAY_MS', 2000, -1),
		maxInlineMediaBytes: number(env, 'MAX_INLINE_MEDIA_BYTES', 16 * 1024 * 1024, 1),
	};
}
