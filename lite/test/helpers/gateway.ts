import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config';
import { SandboxDriver } from '../../src/drivers/sandbox';
import { Gateway, type GatewayDeps } from '../../src/gateway';
import { silentLogger } from '../../../contract/log';
import { uniquePrefix } from '../../../test/harness/redis';
import { waitFor } from './wait';

export const API_KEY = 'test-api-key';
export const SUIT = 'suit-1';
export const SECRET = 'test-webhook-secret';

export interface Answer {
	status: number;
	body: any;
	text: string;
}

export interface TestGateway {
	url: string;
	config: Config;
	gateway: Gateway;
	sandbox: SandboxDriver;
	call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
	stop(): Promise<void>;
}

/**
 * The defaults of an empty environment, shrunk for tests. Media hosts and webhook receivers in tests are loopback
 * servers, so both allow-lists name 127.0.0.1 here; the security tests set them back to empty (the default).
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
	return {
		...loadConfig({}),
		mediaAllowedHosts: ['127.0.0.1'],
		webhookAllowedHosts: ['127.0.0.1'],
		port: 0,
		apiKey: API_KEY,
		suitId: SUIT,
		keyPrefix: uniquePrefix(),
		webhookSecret: SECRET,
		webhookMaxAttempts: 3,
		webhookRetryBaseMs: 20,
		driver: 'sandbox',
		dailyQuota: 300,
		minDelayMinutes: 3,
		maxDelayMinutes: 6,
		delayUnitMs: 5,
		sessionDir: '/nonexistent',
		chromiumPath: '/nonexistent',
		sandboxAckDelayMs: 10,
		sandboxLoginDelayMs: 0,
		maxInlineMediaBytes: 1024,
		minSendGapMs: 0,
		maxSendWaitMs: 30_000,
		maxReceiversPerRequest: 1000,
		maxActiveCampaigns: 100,
		campaignRetentionSeconds: 3600,
		stateDir: stateDir(),
		webhookMaxConcurrent: 16,
		webhookOutboxMax: 10_000,
		...overrides,
	};
}

/** A fresh STATE_DIR (outbox, outcome journal, sandbox log) for one gateway, or for one restarted twice. */
export function stateDir(): string {
	return mkdtempSync(join(tmpdir(), 'lite-state-'));
}

/** A gateway on a free port; a sandbox one is awaited until its session is ready (unless it never logs in). */
export async function startGateway(overrides: Partial<Config> = {}, deps: Partial<GatewayDeps> = {}): Promise<TestGateway> {
	const config = testConfig(overrides);
	const gateway = new Gateway(config, { log: silentLogger, ...deps });
	const port = await gateway.start(0);
	if (config.driver === 'sandbox' && config.sandboxLoginDelayMs >= 0)
		await waitFor(() => gateway.session.ready, 2_000, 'the sandbox session');
	const url = `http://127.0.0.1:${port}`;
	return {
		url,
		config,
		gateway,
		sandbox: gateway.driver as SandboxDriver,
		call: (method, path, body, headers = { appApiKey: API_KEY }) => call(url, method, path, body, headers),
		stop: () => gateway.stop(),
	};
}

export async function call(
	url: string,
	method: string,
	path: string,
	body?: unknown,
	headers: Record<string, string> = {},
): Promise<Answer> {
	const response = await fetch(`${url}${path}`, {
		method,
		headers: { ...(body !== undefined && { 'Content-Type': 'application/json' }), ...headers },
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
	});
	const text = await response.text();
	let parsed: unknown;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {
		parsed = undefined;
	}
	return { status: response.status, body: parsed, text };
}
