'use strict';
/**
 * The real Lite gateway (lite/src/main.ts) in sandbox mode as a child process of the e2e runner, run from its
 * TypeScript sources with lite/test/helpers/tsRegister.js the way the gateway's own crash tests run it (no build
 * of lite/ needed, and never a stale one). Its quota, campaigns and webhook registry live in the given Redis.
 */
const fs = require('node:fs');
const path = require('node:path');
const { startBackground, freePort, sleep } = require('./processes');
const { ROOT } = require('./n8nHost');

const LITE = path.join(ROOT, 'lite');
const MAIN = path.join(LITE, 'src', 'main.ts');
const REGISTER = path.join(LITE, 'test', 'helpers', 'tsRegister.js');

/**
 * Starts the gateway and waits until its sandbox session is ready. `settings` become its environment (API_KEY,
 * SUIT_ID, REDIS_URL, …) over the sandbox defaults below; `port`: the one to listen on (a restart keeps its URL).
 * Resolves with { url, port, process, call(method, path, body) }.
 */
async function startLiteGateway({ settings, stateDir, logFile, timeoutMs = 60_000, port: fixedPort }) {
	const port = fixedPort ?? (await freePort());
	fs.mkdirSync(stateDir, { recursive: true });
	const env = { ...process.env };
	for (const key of Object.keys(env)) if (/^(NODE_PATH|REDIS_|WEBHOOK_|LITE_)/.test(key)) delete env[key];
	Object.assign(env, {
		PORT: String(port),
		DRIVER: 'sandbox',
		STATE_DIR: stateDir,
		SANDBOX_LOGIN_DELAY_MS: '0', // the sandbox "phone" is linked at once
		// The gateway's outbound policy refuses loopback webhook targets unless allowed: n8n listens on 127.0.0.1.
		WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
		...settings,
	});
	const child = startBackground(process.execPath, ['-r', REGISTER, MAIN], { cwd: LITE, env, logFile });
	const url = `http://127.0.0.1:${port}`;
	const call = async (method, route, body) => {
		const response = await fetch(`${url}${route}`, {
			method,
			headers: { appApiKey: settings.API_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} ${route} at the Lite gateway answered ${response.status}: ${text.slice(0, 300)}`);
		return text ? JSON.parse(text) : undefined;
	};
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (child.child.exitCode !== null || child.child.signalCode !== null)
			throw new Error(`the Lite gateway exited at start-up (log: ${logFile})`);
		const health = await fetch(`${url}/healthz`).then(
			(response) => response.json(),
			() => undefined,
		);
		if (health?.session === 'ready') return { url, port, process: child, call };
		if (Date.now() > deadline)
			throw new Error(`the Lite gateway's sandbox session was not ready within ${timeoutMs / 1000} s (log: ${logFile})`);
		await sleep(200);
	}
}

module.exports = { startLiteGateway };
