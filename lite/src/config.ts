import { DEFAULT_MIN_DELAY_MINUTES, defaultMaxDelayMinutes, MAX_RECEIVERS_PER_REQUEST, MAX_TEXT_LENGTH } from '../../contract/limits';
import { DEFAULT_DAILY_QUOTA } from '../../contract/quota';
import type { MediaFetchSettings } from './outbound/media';
import type { WebhookPostSettings } from './outbound/webhook';
import type { MessageLimits } from './send/request';
import { parseFault, type FaultStep } from './faults';
import { relaySettings, type RelaySettings } from './relay/settings';

/** `none`: no WhatsApp Web session, for a gateway that only runs the Cloud webhook relay. */
export type DriverName = 'sandbox' | 'wwebjs' | 'none';

/** Limits on what callers may make the gateway read, fetch and keep (docs/lite-api.md, "Limits"). */
export interface SafetySettings extends MediaFetchSettings, WebhookPostSettings, MessageLimits {
	webhookMaxRegistrations: number;
	/** How long a client may take to send a request's headers, and the whole request (then 408, connection closed). */
	headersTimeoutMs: number;
	requestTimeoutMs: number;
}

export interface Config extends SafetySettings, RelaySettings {
	port: number;
	/** The least severe log lines written (LOG_LEVEL). */
	logLevel: LogLevel;
	/** Undefined only for the sandbox demo, which then runs without authentication. */
	apiKey?: string;
	suitId: string;
	redisUrl?: string;
	/** A Redis Cluster's nodes (some suffice: the rest are found), instead of `redisUrl`. */
	redisClusterNodes?: string[];
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
	// Campaigns, pace and the webhook outbox (issue 9)
	/** The suit's minimum gap between any two sends (single or campaign). */
	minSendGapMs: number;
	/** How long a single send may wait for its pace slot before a 429 PACED. */
	maxSendWaitMs: number;
	/** Receivers per `POST /{suit_id}/send` request. */
	maxReceiversPerRequest: number;
	/** Campaigns with receivers left (running or paused) at one time. */
	maxActiveCampaigns: number;
	/** How long a campaign's keys live after its last change (its end, for a finished one). */
	campaignRetentionSeconds: number;
	/** Without REDIS_URL: the most bytes of campaigns and receivers kept in the process (ended ones are evicted first). */
	memoryStoreMaxBytes: number;
	/** Local folder for the webhook outbox and the sandbox's sent log: keep it on a volume. */
	stateDir: string;
	webhookMaxConcurrent: number;
	/** Webhook deliveries kept waiting (the oldest are dropped past it, with an error in the log). */
	webhookOutboxMax: number;
	/** The same bound in bytes of event bodies (an inbound message's media travels in its event). */
	webhookOutboxMaxBytes: number;
	/** Crash tests only (LITE_FAULT, read with DRIVER=sandbox only). */
	fault?: { step: FaultStep; nth: number };
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

/** A comma-separated list ("a.example, 10.0.0.0/8"). */
function list(env: Env, name: string): string[] {
	return (env[name] ?? '')
		.split(',')
		.map((entry) => entry.trim())
		.filter(Boolean);
}

/** The placeholders in lite/.env.example: a gateway started with one of them has a publicly known secret. */
const EXAMPLE_SECRETS = new Set(['change-me-to-a-long-random-string', 'change-me-to-another-long-random-string']);
const isExample = (secret: string) => EXAMPLE_SECRETS.has(secret.toLowerCase());
const MIN_API_KEY_LENGTH = 24;
/** 24 random hex digits carry about 85 bits by this estimate, `aaaa…` none and `passwordpasswordpassword` 66. */
const MIN_API_KEY_BITS = 72;

/** A key's entropy as the frequencies of its own characters estimate it (Shannon's, times its length). */
function estimatedBits(key: string): number {
	const counts = new Map<string, number>();
	for (const character of key) counts.set(character, (counts.get(character) ?? 0) + 1);
	const length = [...key].length;
	let bits = 0;
	for (const count of counts.values()) bits -= count * Math.log2(count / length);
	return bits;
}

/** A key that is a shorter string repeated at least twice (`passwordpasswordpass`, `abcabc…`): it shifts onto itself. */
function repeatsAUnit(key: string): boolean {
	for (let unit = 1; unit <= key.length / 2; unit++) if (key.slice(unit) === key.slice(0, key.length - unit)) return true;
	return false;
}

/**
 * A real WhatsApp session or a relay needs a key nobody can guess (it can message anyone as the linked phone, or
 * receive their messages): long, not a placeholder in any case, not one unit repeated, and of enough entropy. The
 * errors never quote the key.
 */
function checkSecrets(driver: DriverName, apiKey: string | undefined, webhookSecret: string | undefined): void {
	const fix = 'set it to a long random string, e.g. the output of `openssl rand -hex 32`';
	if (!apiKey) throw new Error(`API_KEY is required with DRIVER=${driver}: ${fix}`);
	if (isExample(apiKey)) throw new Error(`API_KEY is still the example value from .env.example: ${fix}`);
	if (apiKey.length < MIN_API_KEY_LENGTH)
		throw new Error(`API_KEY has ${apiKey.length} characters, fewer than ${MIN_API_KEY_LENGTH}: ${fix}`);
	if (repeatsAUnit(apiKey)) throw new Error(`API_KEY is one short string repeated, which is easy to guess: ${fix}`);
	const bits = Math.floor(estimatedBits(apiKey));
	if (bits < MIN_API_KEY_BITS)
		throw new Error(`API_KEY is too predictable (about ${bits} bits of entropy, at least ${MIN_API_KEY_BITS} needed): ${fix}`);
	if (webhookSecret && isExample(webhookSecret)) throw new Error(`WEBHOOK_SECRET is still the example value from .env.example: ${fix}`);
}

function safetySettings(env: Env): SafetySettings {
	return {
		maxInlineMediaBytes: number(env, 'MAX_INLINE_MEDIA_BYTES', 16 * 1024 * 1024, 1),
		maxTextLength: number(env, 'MAX_TEXT_LENGTH', MAX_TEXT_LENGTH, 1),
		mediaAllowedHosts: list(env, 'MEDIA_ALLOWED_HOSTS'),
		maxMediaUrlBytes: number(env, 'MAX_MEDIA_URL_BYTES', 16 * 1024 * 1024, 1),
		mediaFetchTimeoutMs: number(env, 'MEDIA_FETCH_TIMEOUT_MS', 60_000, 1),
		mediaMaxRedirects: number(env, 'MEDIA_MAX_REDIRECTS', 3),
		mediaFetchConcurrency: number(env, 'MEDIA_FETCH_CONCURRENCY', 4, 1),
		mediaFetchQueue: number(env, 'MEDIA_FETCH_QUEUE', 32),
		outboundConnectTimeoutMs: number(env, 'OUTBOUND_CONNECT_TIMEOUT_MS', 10_000, 1),
		webhookAllowedHosts: list(env, 'WEBHOOK_ALLOWED_HOSTS'),
		webhookTimeoutMs: number(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 1),
		webhookMaxAnswerBytes: number(env, 'WEBHOOK_MAX_ANSWER_BYTES', 64 * 1024, 1),
		webhookMaxRegistrations: number(env, 'WEBHOOK_MAX_REGISTRATIONS', 10, 1),
		...requestTimeouts(env),
	};
}

/** Node's own default holds a slow body 300 s; a request must come in whole within these (headers first). */
function requestTimeouts(env: Env): { headersTimeoutMs: number; requestTimeoutMs: number } {
	const requestTimeoutMs = number(env, 'REQUEST_TIMEOUT_MS', 60_000, 1_000);
	return { requestTimeoutMs, headersTimeoutMs: Math.min(number(env, 'HEADERS_TIMEOUT_MS', 10_000, 1_000), requestTimeoutMs) };
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function logLevel(env: Env): LogLevel {
	const level = (text(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
	if (!LOG_LEVELS.includes(level as LogLevel)) throw new Error(`LOG_LEVEL="${level}" must be one of ${LOG_LEVELS.join(', ')}`);
	return level as LogLevel;
}

/** Every secret the gateway was given, for its logger to mask wherever one would appear (createLogger). */
export function secretsOf(config: Config): string[] {
	const redisPassword = config.redisUrl && URL.canParse(config.redisUrl) ? new URL(config.redisUrl).password : undefined;
	const relaySecrets = [...config.relayApps.values()].flatMap((app) => [app.appSecret, app.verifyToken]);
	return [config.apiKey, config.webhookSecret, redisPassword, ...relaySecrets].filter((secret): secret is string => Boolean(secret));
}

/** Reads the gateway's settings from the environment; throws a plain-language error for a wrong value. */
export function loadConfig(env: Env = process.env): Config {
	const driver = (text(env, 'DRIVER') ?? 'sandbox') as DriverName;
	if (!['sandbox', 'wwebjs', 'none'].includes(driver)) throw new Error(`DRIVER="${driver}" must be "sandbox", "wwebjs" or "none"`);
	const apiKey = text(env, 'API_KEY');
	const webhookSecret = text(env, 'WEBHOOK_SECRET');
	if (driver !== 'sandbox') checkSecrets(driver, apiKey, webhookSecret);
	const minDelayMinutes = number(env, 'MIN_DELAY_MINUTES', DEFAULT_MIN_DELAY_MINUTES);
	const maxDelayMinutes = number(env, 'MAX_DELAY_MINUTES', defaultMaxDelayMinutes(minDelayMinutes), minDelayMinutes);
	return {
		port: number(env, 'PORT', 3000),
		logLevel: logLevel(env),
		apiKey,
		suitId: text(env, 'SUIT_ID') ?? 'default',
		redisUrl: text(env, 'REDIS_URL'),
		redisClusterNodes: text(env, 'REDIS_CLUSTER_NODES')
			?.split(',')
			.map((node) => node.trim())
			.filter(Boolean),
		keyPrefix: text(env, 'REDIS_KEY_PREFIX') ?? '',
		webhookSecret,
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
		...safetySettings(env),
		...campaignSettings(env, driver),
		...relaySettings(env, number),
	};
}

/** The settings of campaigns, pace and the webhook outbox, kept together. */
function campaignSettings(env: Env, driver: DriverName) {
	return {
		minSendGapMs: number(env, 'MIN_SEND_GAP_MS', driver === 'sandbox' ? 0 : 2000),
		maxSendWaitMs: number(env, 'MAX_SEND_WAIT_MS', 30_000),
		maxReceiversPerRequest: number(env, 'MAX_RECEIVERS_PER_REQUEST', MAX_RECEIVERS_PER_REQUEST, 1),
		maxActiveCampaigns: number(env, 'MAX_ACTIVE_CAMPAIGNS', 100, 1),
		campaignRetentionSeconds: number(env, 'CAMPAIGN_RETENTION_DAYS', 30, 1 / 24) * 86_400,
		memoryStoreMaxBytes: number(env, 'MEMORY_STORE_MAX_BYTES', 128 * 1024 * 1024, 1024),
		stateDir: text(env, 'STATE_DIR') ?? './.lite-state',
		webhookMaxConcurrent: number(env, 'WEBHOOK_MAX_CONCURRENT', 16, 1),
		webhookOutboxMax: number(env, 'WEBHOOK_OUTBOX_MAX', 100_000, 1),
		webhookOutboxMaxBytes: number(env, 'WEBHOOK_OUTBOX_MAX_BYTES', 256 * 1024 * 1024, 1024),
		fault: driver === 'sandbox' ? parseFault(text(env, 'LITE_FAULT')) : undefined,
	};
}
