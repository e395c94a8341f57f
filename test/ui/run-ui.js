#!/usr/bin/env node
'use strict';
/**
 * Browser tests of the nodes in n8n's editor (`npm run test:ui`, `-- --n8n 2` for n8n 2.41.1; test/ui/README.md).
 * Starts the stack of `npm start` (scripts/lib/sandboxStack.js) on free loopback ports in a temporary folder, then
 * drives Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) with playwright-core: nothing downloads a browser.
 * Each case writes screenshots to ui-screenshots/<n8n version>/ (not committed). Exit code 1 on any failure.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { n8nChoice, rerunUnderNode, ROOT, PKG } = require('../e2e/lib/n8nHost');
const { killAllSync, tail } = require('../e2e/lib/processes');
const { startSandboxStack } = require('../../scripts/lib/sandboxStack');
const { Editor } = require('./lib/editor');
const { SEND_PANEL } = require('./sendPanel');

const { major, host } = n8nChoice(process.argv.slice(2), 'node test/ui/run-ui.js [--n8n <major>|<version>]');
const LABEL = `ui n8n ${major}.x`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SEND_TYPE = `${PKG.name}.whatsAppSend`;
const say = (line) => process.stdout.write(`${LABEL}: ${line}\n`);
const results = [];

/** Console errors and failed requests that come from this package (n8n's own, e.g. its banner fetch, are not ours). */
function watchForPackageErrors(page, found) {
	const ours = (text) => /whats-?app|n8n-nodes-whatsapp-automator/i.test(text);
	page.on('pageerror', (error) => ours(`${error.message}\n${error.stack}`) && found.push(`uncaught: ${error.message}`));
	page.on(
		'console',
		(message) => message.type() === 'error' && ours(message.text()) && found.push(`console: ${message.text().slice(0, 300)}`),
	);
	page.on('response', (response) => {
		if (response.status() < 500) return;
		const request = response.request();
		const body = request.postData() ?? '';
		if (ours(request.url()) || ours(body))
			found.push(`HTTP ${response.status()} from ${request.method()} ${new URL(request.url()).pathname}`);
	});
}

async function main() {
	const { chromium, selectors } = require('playwright-core');
	selectors.setTestIdAttribute('data-test-id');
	if (!fs.existsSync(CHROMIUM))
		throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (Debian's package), or set CHROMIUM_PATH`);
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-ui-'));
	let stack;
	let browser;
	const cleanup = async () => {
		await browser?.close().catch(() => undefined);
		await stack?.stop();
		if (process.env.UI_KEEP_TMP === '1') say(`kept ${dataDir}`);
		else fs.rmSync(dataDir, { recursive: true, force: true });
	};
	process.on('exit', killAllSync);
	for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanup().finally(() => process.exit(130)));

	try {
		const since = Date.now();
		stack = await startSandboxStack({ host, dataDir, liteLoginDelayMs: -1, say: (line) => say(line.trim()) });
		const shots = path.join(ROOT, 'ui-screenshots', `n8n-${stack.n8n.version}`);
		fs.rmSync(shots, { recursive: true, force: true });
		fs.mkdirSync(shots, { recursive: true });
		say(
			`stack ready in ${((Date.now() - since) / 1000).toFixed(0)} s: n8n ${stack.n8n.version} at ${stack.n8n.url}; screenshots in ${path.relative(ROOT, shots)}/`,
		);

		browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
		context.setDefaultTimeout(60_000);
		const page = await context.newPage();
		const packageErrors = [];
		watchForPackageErrors(page, packageErrors);
		const editor = new Editor({ context, page, baseUrl: stack.n8n.url });
		await editor.login(stack.n8n.owner);
		const shot = (name, target = page) => target.screenshot({ path: path.join(shots, `${name}.png`) });
		const cases = require('./cases')({
			stack,
			editor,
			page,
			context,
			browser,
			shot,
			SEND_TYPE,
			SEND_PANEL,
			watchForPackageErrors,
			packageErrors,
		});

		for (const [name, body] of cases) {
			const started = Date.now();
			try {
				const note = await body();
				results.push('passed');
				say(`PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)${note ? ` — ${note}` : ''}`);
			} catch (error) {
				results.push('failed');
				say(`FAIL ${name}: ${error.message}`);
				if (!(error instanceof assert.AssertionError)) process.stdout.write(`${error.stack}\n`);
				await shot(`FAILED ${name.replace(/[^\w-]+/g, ' ').trim()}`).catch(() => undefined);
			}
		}
	} catch (error) {
		results.push('failed');
		say(`FAIL setup: ${error.message}`);
		if (error.logFile) process.stdout.write(`----- last lines of ${error.logFile} -----\n${tail(error.logFile)}\n-----\n`);
		else process.stdout.write(`${error.stack}\n`);
	} finally {
		await cleanup();
	}
	const count = (status) => results.filter((result) => result === status).length;
	process.stdout.write(`${LABEL}: ${count('passed')} passed, ${count('failed')} failed\n`);
	process.exitCode = count('failed') > 0 || count('passed') === 0 ? 1 : 0;
}

if (!rerunUnderNode(host.node, say)) main();
