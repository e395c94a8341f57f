import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { call, API_KEY, SUIT, type Answer } from './gateway';
import { freePort } from '../../../test/harness/redis';
import { waitFor } from './wait';

export interface GatewayProcess {
	url: string;
	call(method: string, path: string, body?: unknown): Promise<Answer>;
	/** Resolves with the signal (or exit code) the process ended with. */
	exited: Promise<string>;
	output(): string;
	stop(): Promise<string>;
	/** kill -9 */
	kill(): Promise<string>;
}

const MAIN = join(__dirname, '../../src/main.ts');
const REGISTER = join(__dirname, 'tsRegister.js');

/** Webhook receivers and media hosts in tests are loopback servers (as in helpers/gateway.ts's testConfig). */
const LOOPBACK_ALLOWED = { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', MEDIA_ALLOWED_HOSTS: '127.0.0.1' };

/** The real gateway (lite/src/main.ts) as a child process with the sandbox driver, ready to send. */
export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
	const port = await freePort();
	const child = spawn(process.execPath, ['-r', REGISTER, MAIN], {
		env: {
			PATH: process.env.PATH,
			DRIVER: 'sandbox',
			API_KEY,
			SUIT_ID: SUIT,
			SANDBOX_LOGIN_DELAY_MS: '0',
			SANDBOX_ACK_DELAY_MS: '5',
			PORT: String(port),
			...LOOPBACK_ALLOWED,
			...env,
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
	const url = `http://127.0.0.1:${port}`;
	const gateway: GatewayProcess = {
		url,
		call: (method, path, body) => call(url, method, path, body, { appApiKey: API_KEY }),
		exited,
		output: () => output,
		stop: () => {
			child.kill('SIGTERM');
			return exited;
		},
		kill: () => {
			child.kill('SIGKILL');
			return exited;
		},
	};
	let ended = false;
	void exited.then(() => (ended = true));
	await waitFor(
		async () => {
			if (ended) throw new Error(`The gateway exited at start:\n${output}`);
			const health = await call(url, 'GET', '/healthz').catch(() => undefined);
			return health?.body?.session === 'ready';
		},
		60_000,
		'the gateway process',
	);
	return gateway;
}
