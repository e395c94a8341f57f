#!/usr/bin/env node
'use strict';
/**
 * End-to-end proof in a real n8n process (`npm run test:n8n`, which builds first).
 *
 * 1. Provisions (or reuses) the pinned n8n host with scripts/provision-n8n.sh.
 * 2. `npm pack`s this package and installs the tarball into a fresh $N8N_USER_FOLDER/.n8n/nodes with
 *    `npm install <tarball>`, the way users install a community package by hand (peer dependencies omitted:
 *    n8n-workflow is n8n's own copy, as with n8n's own community-package installer).
 * 3. Case "package": every file of package.json's `n8n` section is in the installed package and loads, icons and
 *    codex files were copied.
 * 4. Case "send": imports a WhatsApp Cloud API credential pointing at the fake Graph API (test/fakes/graphApi.ts,
 *    running in this process on loopback) and test/e2e/workflows/send-text.json, runs `n8n execute --id`, and
 *    checks the exact request bodies the fake received and the items n8n output.
 * 5. Case "loads": `n8n start`, then every node and credential of the package must be in the node/credential
 *    types n8n generated for its editor, and their icons must be served by n8n.
 *
 * `--n8n 2` (`npm run test:n8n2`) runs the same cases in n8n 2.x (HOSTS below): Node 24 comes from the npm registry
 * (scripts/provision-node.sh, cached next to the n8n hosts) and this runner re-runs itself under it, so that n8n,
 * its native modules and the in-process checks all use the Node that n8n 2.x requires.
 *
 * Output stays short: n8n's and npm's output go to log files in the temporary folder, whose tails are printed
 * only on failure. The temporary folder is removed at the end (set E2E_KEEP_TMP=1 to keep it).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const Module = require('node:module');
const { run, startBackground, stop, stopAll, killAllSync, freePort, tail, sleep } = require('./lib/processes');
const { requireTypeScriptFake } = require('./lib/loadTypeScript');
const { checkInstalledPackage } = require('./lib/packageCheck');
const { triggerCase } = require('./lib/triggerCase');
const { loadCase } = require('./lib/loadCase');
const { queueCase } = require('./lib/queueCase');
const { campaignCase } = require('./lib/campaignCase');
const { retryCase } = require('./lib/retryCase');
const { requireFakeLiteContainer } = require('./lib/loadLiteFake');
const { waitForWebhook } = require('./lib/webhookReady');

// n8n hosts by major version: `--n8n 2` (or a full version, `--n8n 2.40.0`); without it n8n 1.x as always
// (provision-n8n.sh's default, or N8N_VERSION). n8n 2.41 needs Node >= 24; 2.41.3, the newest 2.x, does not
// install from this registry (@n8n/agents@0.26.2 is missing), 2.41.1 does.
const HOSTS = { 2: { n8n: '2.41.1', node: '24.11.1' } };
const N8N_ARG = (() => {
	const args = process.argv.slice(2);
	const index = args.findIndex((arg) => arg === '--n8n' || arg.startsWith('--n8n='));
	if (index < 0) return undefined;
	const value = args[index].includes('=') ? args[index].split('=')[1] : args[index + 1];
	if (!/^\d+(\.\d+\.\d+)?$/.test(value ?? '')) {
		process.stderr.write(`usage: node test/e2e/run-in-n8n.js [--n8n <major>|<version>]  (got ${value})\n`);
		process.exit(2);
	}
	return value;
})();
const N8N_MAJOR = N8N_ARG ? Number(N8N_ARG.split('.')[0]) : 1;
const HOST = N8N_ARG ? { ...HOSTS[N8N_MAJOR], ...(N8N_ARG.includes('.') ? { n8n: N8N_ARG } : {}) } : {};
const LABEL = N8N_MAJOR >= 2 ? `e2e n8n ${N8N_MAJOR}.x` : 'e2e';

const ROOT = path.resolve(__dirname, '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const WORKFLOWS_DIR = path.join(__dirname, 'workflows');
const SEND_WORKFLOW_ID = 'e2eSendText00001';
const TRIGGER_WORKFLOW_ID = 'e2eTriggerEcho01';
const RETRY_WORKFLOW_ID = 'e2eLiteRetry0001';
const TRIGGER_NODE = 'whatsAppTrigger';
// The load case's workflows (lib/loadCase.js): the trigger under load, and n8n's own Webhook node as the baseline.
const LOAD_WORKFLOWS = { trigger: 'trigger-load.json', baseline: 'webhook-load-baseline.json' };
const CREDENTIAL = { id: 'e2eCloudCred0001', name: 'WhatsApp Cloud API (e2e fake Graph API)' };
const FAKE = { accessToken: 'EAAe2eTestAccessToken0123456789', phoneNumberId: '106540352242922' };
const LITE_CREDENTIAL = { id: 'e2eLiteCred00001', name: 'WhatsApp Lite (e2e fake container)' };
const LITE_API_KEY = 'e2e-lite-campaign-api-key';
const CREDENTIAL_DATA = {
	accessToken: FAKE.accessToken,
	phoneNumberId: FAKE.phoneNumberId,
	businessAccountId: '102290129340398',
	apiVersion: 'v23.0',
	appSecret: 'e2e-app-secret',
	verifyToken: 'e2e-verify-token',
	// baseUrl: the fake's address, set once it runs
};

const results = [];
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const say = (line) => process.stdout.write(`${LABEL}: ${line}\n`);

class CaseFailure extends Error {
	constructor(message, logFiles = []) {
		super(message);
		this.logFiles = logFiles;
	}
}

async function runCase(name, body) {
	const since = Date.now();
	try {
		const note = await body();
		results.push({ name, status: 'passed' });
		say(`PASS ${name} (${seconds(since)})${note ? ` — ${note}` : ''}`);
	} catch (error) {
		results.push({ name, status: 'failed' });
		say(`FAIL ${name} (${seconds(since)}): ${error.message}`);
		for (const file of error.logFiles ?? []) {
			process.stdout.write(`----- last lines of ${file} -----\n${tail(file)}\n----- end of ${path.basename(file)} -----\n`);
		}
		if (!(error instanceof CaseFailure) && !(error instanceof assert.AssertionError)) process.stdout.write(`${error.stack}\n`);
	}
}

function skip(name, why) {
	results.push({ name, status: 'skipped' });
	say(`SKIP ${name}: ${why}`);
}

/** Environment for every n8n command: a scratch user folder and nothing inherited that could redirect n8n. */
function n8nEnvironment(tmp, extra = {}) {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|GENERIC_TIMEZONE$)/.test(key)) continue;
		env[key] = value;
	}
	return {
		...env,
		N8N_USER_FOLDER: path.join(tmp, 'user'),
		N8N_ENCRYPTION_KEY: 'e2e-fixed-encryption-key-not-a-secret',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_RUNNERS_ENABLED: 'false', // n8n 1.x; 2.x always runs the Code node in a task runner, whose broker listens on:
		N8N_RUNNERS_BROKER_PORT: String(runnerBrokerPort), // this run's own port, not 5679 (another n8n may hold it)
		// One JSON record per line on stdout, which goes to the command's own log file; `n8n execute` logs its
		// result as one such record (its `this.log` is the logger), so it is parsed from there.
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_FORMAT: 'json',
		DB_TYPE: 'sqlite',
		...extra,
	};
}

let runnerBrokerPort;

async function main() {
	runnerBrokerPort = await freePort();
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
	const logs = path.join(tmp, 'logs');
	fs.mkdirSync(logs);
	const logFile = (name) => path.join(logs, `${name}.log`);
	let fake;
	let liteFake;
	const cleanup = async () => {
		await stopAll();
		if (fake) await fake.close().catch(() => undefined);
		if (liteFake) await liteFake.close().catch(() => undefined);
		if (process.env.E2E_KEEP_TMP === '1') say(`kept ${tmp}`);
		else fs.rmSync(tmp, { recursive: true, force: true });
	};
	process.on('exit', killAllSync);
	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.once(signal, () => {
			say(`interrupted (${signal}), cleaning up`);
			cleanup().finally(() => process.exit(130));
		});
	}

	try {
		// --- setup: host, package, fake --------------------------------------------------------------------
		let since = Date.now();
		const provisionEnv = HOST.n8n ? { ...process.env, N8N_VERSION: HOST.n8n } : process.env;
		const provision = await run('bash', [path.join(ROOT, 'scripts', 'provision-n8n.sh')], { cwd: ROOT, env: provisionEnv, logFile: logFile('provision'), timeoutMs: 20 * 60_000 });
		if (provision.code !== 0) throw new CaseFailure('scripts/provision-n8n.sh failed', [provision.logFile]);
		const host = provision.stdout.trim().split('\n').pop();
		const n8nBin = path.join(host, 'node_modules', 'n8n', 'bin', 'n8n');
		const n8nVersion = JSON.parse(fs.readFileSync(path.join(host, 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
		say(`n8n ${n8nVersion} host ready at ${host}, Node ${process.version} (${seconds(since)})`);

		since = Date.now();
		const pack = await run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT, logFile: logFile('npm-pack'), timeoutMs: 120_000 });
		if (pack.code !== 0) throw new CaseFailure('npm pack failed', [pack.logFile]);
		const packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
		const tarball = path.join(tmp, packed.filename);

		const userFolder = path.join(tmp, 'user');
		const nodesDir = path.join(userFolder, '.n8n', 'nodes');
		fs.mkdirSync(nodesDir, { recursive: true });
		fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
		const install = await run('npm', ['install', tarball, '--omit=peer', '--no-audit', '--no-fund', '--loglevel=error'], {
			cwd: nodesDir,
			logFile: logFile('npm-install'),
			timeoutMs: 300_000,
		});
		if (install.code !== 0) throw new CaseFailure(`npm install ${packed.filename} into .n8n/nodes failed`, [install.logFile]);
		const installedDir = path.join(nodesDir, 'node_modules', PKG.name);
		say(`packed ${packed.filename} (${packed.entryCount} files) and installed it into .n8n/nodes (${seconds(since)})`);

		// Nodes require('n8n-workflow') from n8n's own copy, exactly as inside n8n (which sets NODE_PATH the same way).
		process.env.NODE_PATH = [path.join(host, 'node_modules', 'n8n', 'node_modules'), path.join(host, 'node_modules')].join(path.delimiter);
		Module._initPaths();

		// --- case: package ------------------------------------------------------------------------------------
		let inventory;
		await runCase('package: n8n section, files and icons in the installed package', async () => {
			inventory = checkInstalledPackage(installedDir, ROOT);
			const messages = [
				...inventory.missing.map(({ kind, file }) => `${file} is listed in package.json "n8n.${kind}" but is not in the package (not built yet?)`),
				...inventory.problems,
			];
			if (inventory.missing.length) {
				// n8n refuses the whole package when one listed file is missing; to still learn whether the rest
				// works, the installed copy's n8n section is cut down to the files that exist. This case stays failed.
				const installedJson = path.join(installedDir, 'package.json');
				const pkg = JSON.parse(fs.readFileSync(installedJson, 'utf8'));
				for (const kind of ['credentials', 'nodes']) pkg.n8n[kind] = (pkg.n8n[kind] ?? []).filter((file) => fs.existsSync(path.join(installedDir, file)));
				fs.writeFileSync(installedJson, JSON.stringify(pkg, null, 2));
				messages.push('(the other cases run with the installed n8n section cut down to the files that exist)');
			}
			if (messages.length) throw new CaseFailure(`\n  - ${messages.join('\n  - ')}`);
			return `${inventory.nodes.length} nodes, ${inventory.credentials.length} credentials`;
		});
		if (!inventory) throw new CaseFailure('the installed package could not be inspected');

		// --- fake Graph API, credential, workflows ------------------------------------------------------------
		const { startFakeGraphApi } = requireTypeScriptFake('graphApi.ts');
		fake = await startFakeGraphApi({ ...FAKE });
		const { startFakeLiteContainer, FAKE_SUIT_ID } = requireFakeLiteContainer();
		liteFake = await startFakeLiteContainer(LITE_API_KEY);
		const credentialsFile = path.join(tmp, 'credentials.json');
		fs.writeFileSync(
			credentialsFile,
			JSON.stringify([
				{
					...CREDENTIAL,
					type: 'whatsAppCloudApi',
					data: { ...CREDENTIAL_DATA, baseUrl: fake.url },
				},
				{
					...LITE_CREDENTIAL,
					type: 'whatsAppLiteApi',
					data: { url: liteFake.url, apiKey: LITE_API_KEY, suitId: FAKE_SUIT_ID, webhookSecret: 'e2e-lite-webhook-secret' },
				},
			]),
		);

		since = Date.now();
		const env = n8nEnvironment(tmp);
		const n8n = (args, name, timeoutMs = 240_000) => run(process.execPath, [n8nBin, ...args], { cwd: tmp, env, logFile: logFile(name), timeoutMs });
		const importCredentials = await n8n(['import:credentials', `--input=${credentialsFile}`], 'import-credentials');
		if (importCredentials.code !== 0) throw new CaseFailure('n8n import:credentials failed', [importCredentials.logFile]);
		const importWorkflows = await n8n(['import:workflow', '--separate', `--input=${WORKFLOWS_DIR}`], 'import-workflows');
		if (importWorkflows.code !== 0) throw new CaseFailure('n8n import:workflow failed', [importWorkflows.logFile]);
		say(`imported the credential and ${fs.readdirSync(WORKFLOWS_DIR).length} workflow(s) (${seconds(since)}, includes n8n's first-run migrations)`);

		// --- case: send -----------------------------------------------------------------------------------------
		await runCase('send: n8n execute runs WhatsApp Send (text, 2 recipients) against the fake Graph API', async () => {
			const execution = await n8n(['execute', `--id=${SEND_WORKFLOW_ID}`, '--rawOutput'], 'execute-send');
			const logsOnFailure = [execution.logFile];
			const outcome = executionResult(execution.stdout);
			const workflowError = outcome?.data?.resultData?.error;
			if (workflowError) {
				const where = workflowError.node?.name ? ` in node "${workflowError.node.name}"` : '';
				throw new CaseFailure(`the workflow failed${where}: ${workflowError.message}${workflowError.description ? ` — ${workflowError.description}` : ''}`, logsOnFailure);
			}
			if (execution.code !== 0 || !outcome) {
				throw new CaseFailure(`n8n execute ${execution.timedOut ? 'timed out' : `exited with ${execution.code}`} without a successful run`, logsOnFailure);
			}
			try {
				assert.equal(outcome.status ?? 'success', 'success', 'execution status');
				const sendRuns = outcome.data?.resultData?.runData?.['WhatsApp Send'];
				assert.ok(sendRuns?.length === 1, 'the WhatsApp Send node ran once');
				assert.equal(sendRuns[0].executionStatus ?? 'success', 'success', 'WhatsApp Send node status');

				const expected = [
					{ to: '4915123456789', text: 'Hello Ada, your order A-1001 has shipped.' },
					{ to: '442079460958', text: 'Hello Linus, your order B-2002 has shipped.' },
				];
				const sends = fake.requests.filter((request) => request.method === 'POST');
				assert.equal(fake.requests.length, expected.length, `the fake got ${fake.requests.length} requests, expected ${expected.length}`);
				sends.forEach((request, index) => {
					assert.equal(request.path, `/v23.0/${FAKE.phoneNumberId}/messages`, 'request path');
					assert.equal(request.headers.authorization, `Bearer ${FAKE.accessToken}`, 'authorization header');
					assert.deepEqual(request.body, {
						messaging_product: 'whatsapp',
						recipient_type: 'individual',
						to: expected[index].to,
						type: 'text',
						text: { body: expected[index].text, preview_url: false },
					});
				});
				assert.equal(fake.accepted.length, expected.length, 'messages the fake accepted');

				const items = sendRuns[0].data.main[0];
				assert.equal(items.length, expected.length, 'output items of WhatsApp Send');
				items.forEach((item, index) => {
					assert.equal(item.json.messageId, fake.accepted[index].id, `item ${index} messageId`);
					assert.equal(item.json.status, 'accepted', `item ${index} status`);
					assert.equal(item.json.backend, 'cloud', `item ${index} backend`);
					assert.deepEqual(item.pairedItem, { item: index }, `item ${index} pairedItem`);
				});
				assert.ok(!execution.stdout.includes(FAKE.accessToken), 'the access token appears in n8n execute output');
				return `${fake.accepted.map((sent) => `${sent.to} → ${sent.id}`).join(', ')}`;
			} catch (error) {
				if (!(error instanceof assert.AssertionError)) throw error;
				const items = outcome.data?.resultData?.runData?.['WhatsApp Send']?.[0]?.data?.main?.[0];
				const shown = JSON.stringify(items ?? outcome.data?.resultData?.error ?? null);
				throw new CaseFailure(`${error.message}\n  WhatsApp Send output in n8n: ${shown.length > 1500 ? `${shown.slice(0, 1500)}…` : shown}`);
			}
		});

		// --- case: campaign -------------------------------------------------------------------------------------
		await runCase('campaign: a 200-recipient Lite segment is handed to the container as one campaign; Campaign: Get follows it', () =>
			campaignCase({ n8n, lite: liteFake, executionResult, CaseFailure }),
		);

		// --- n8n start: case loads, case trigger, case retry ------------------------------------------------------
		const hasTrigger = inventory.nodes.some((node) => node.name === TRIGGER_NODE);
		if (hasTrigger) {
			// Imported workflows are inactive; activation in the database takes effect when n8n starts (n8n 2.x
			// replaced update:workflow --active=true with publish:workflow).
			const loadIds = Object.values(LOAD_WORKFLOWS).map((file) => readWorkflow(file).id);
			for (const id of [TRIGGER_WORKFLOW_ID, ...loadIds]) {
				const activateArgs = N8N_MAJOR >= 2 ? ['publish:workflow', `--id=${id}`] : ['update:workflow', `--id=${id}`, '--active=true'];
				const activate = await n8n(activateArgs, `activate-${id}`);
				if (activate.code !== 0) throw new CaseFailure(`n8n ${activateArgs[0]} --id=${id} failed`, [activate.logFile]);
			}
		}
		const activateRetryArgs = N8N_MAJOR >= 2 ? ['publish:workflow', `--id=${RETRY_WORKFLOW_ID}`] : ['update:workflow', `--id=${RETRY_WORKFLOW_ID}`, '--active=true'];
		const activateRetry = await n8n(activateRetryArgs, 'activate-retry');
		if (activateRetry.code !== 0) throw new CaseFailure(`n8n ${activateRetryArgs[0]} failed for the retry workflow`, [activateRetry.logFile]);
		const port = await freePort();
		const baseUrl = `http://127.0.0.1:${port}`;
		const startEnv = { ...env, N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1' };
		const server = startBackground(process.execPath, [n8nBin, 'start'], { cwd: tmp, env: startEnv, logFile: logFile('start') });
		const startLogs = [logFile('start')];
		const ready = waitForN8n(server, baseUrl, path.join(userFolder, '.cache', 'n8n', 'public', 'types'), startLogs);
		ready.catch(() => undefined);
		try {
			await runCase('loads: n8n start lists every node and credential of the package and serves their icons', async () => {
				const types = await ready;
				say(`n8n start is ready on port ${port}`);
				const problems = [];
				const iconUrls = [];
				const urlsOf = (iconUrl) => Object.values(typeof iconUrl === 'string' ? { light: iconUrl } : iconUrl);
				for (const node of inventory.nodes) {
					const type = `${PKG.name}.${node.name}`;
					const loaded = types.nodes.find((description) => description.name === type);
					if (!loaded) problems.push(`node type ${type} (${node.file}) is not among n8n's node types`);
					else if (!loaded.iconUrl) problems.push(`node type ${type} has no iconUrl in n8n`);
					else iconUrls.push(...urlsOf(loaded.iconUrl).map((url) => [type, url]));
				}
				for (const credential of inventory.credentials) {
					const loaded = types.credentials.find((description) => description.name === credential.name);
					if (!loaded) problems.push(`credential type ${credential.name} (${credential.file}) is not among n8n's credential types`);
					else if (loaded.iconUrl) iconUrls.push(...urlsOf(loaded.iconUrl).map((url) => [credential.name, url]));
				}
				for (const [owner, url] of iconUrls) {
					const response = await fetch(new URL(url, `${baseUrl}/`));
					const body = await response.text();
					if (response.status !== 200 || !/<svg[\s>]/.test(body)) problems.push(`n8n answers ${response.status} for ${owner}'s icon ${url}`);
				}
				if (problems.length) throw new CaseFailure(`\n  - ${problems.join('\n  - ')}`, startLogs);
				return `${inventory.nodes.length} node types, ${inventory.credentials.length} credential types, ${iconUrls.length} icons served`;
			});

			if (!hasTrigger) {
				skip('trigger: signed Meta webhook into an active WhatsApp Trigger workflow', `the package has no ${TRIGGER_NODE} node`);
			} else {
				await runCase('trigger: a signed Meta webhook starts the active WhatsApp Trigger workflow, which answers via the fake', async () => {
					await ready;
					const workflow = JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, 'trigger-echo.json'), 'utf8'));
					const { webhookId } = workflow.nodes.find((node) => node.type.endsWith(`.${TRIGGER_NODE}`));
					await waitForWebhook(`${baseUrl}/webhook/${webhookId}/webhook`); // n8n 2.x activates after start-up
					return await triggerCase({
						baseUrl,
						fake,
						workflow,
						credential: CREDENTIAL_DATA,
						databaseFile: path.join(userFolder, '.n8n', 'database.sqlite'),
						host,
						logsOnFailure: startLogs,
						CaseFailure,
					});
				});
				if (process.env.E2E_SKIP_LOAD === '1') skip('load: 2,000 signed events at 20 concurrent requests', 'E2E_SKIP_LOAD=1');
				else {
					await runCase('load: 2,000 signed events at 20 concurrent requests, each exactly one execution (baseline: n8n Webhook node)', async () => {
						const [triggerWorkflow, baselineWorkflow] = [readWorkflow(LOAD_WORKFLOWS.trigger), readWorkflow(LOAD_WORKFLOWS.baseline)];
						await waitForWebhook(`${baseUrl}/webhook/${triggerWorkflow.nodes[0].webhookId}/webhook`);
						await waitForWebhook(`${baseUrl}/webhook/${baselineWorkflow.nodes[0].parameters.path}`);
						const databaseFile = path.join(userFolder, '.n8n', 'database.sqlite');
						return await loadCase({ baseUrl, triggerWorkflow, baselineWorkflow, credential: CREDENTIAL_DATA, databaseFile, host, say }).catch((error) => {
							throw error instanceof assert.AssertionError ? new CaseFailure(error.message, startLogs) : error;
						});
					});
				}
			}

			await runCase('retry: n8n\'s Retry of a failed segment execution continues its campaign (nobody twice)', async () => {
				await ready;
				return await retryCase({
					baseUrl,
					lite: liteFake,
					databaseFile: path.join(userFolder, '.n8n', 'database.sqlite'),
					host,
					CaseFailure,
					logsOnFailure: startLogs,
				});
			});
		} finally {
			await stop(server.child);
		}

		// --- case: queue (lib/queueCase.js: n8n start + 2 workers in queue mode, Postgres, Bull on a private Redis) ---
		if (process.env.E2E_SKIP_QUEUE === '1') skip('queue: quota and campaign ledger across 2 queue-mode workers', 'E2E_SKIP_QUEUE=1');
		else {
			await runCase('queue: quota and campaign ledger hold across 2 queue-mode workers (Postgres, Bull, WhatsApp Redis)', () =>
				queueCase({ n8nBin, host, tmp, n8nEnvironment, logFile, CaseFailure, say }),
			);
		}
	} catch (error) {
		results.push({ name: 'setup', status: 'failed' });
		say(`FAIL setup: ${error.message}`);
		for (const file of error.logFiles ?? []) process.stdout.write(`----- last lines of ${file} -----\n${tail(file)}\n----- end -----\n`);
		if (!(error instanceof CaseFailure)) process.stdout.write(`${error.stack}\n`);
	} finally {
		await cleanup();
	}

	const count = (status) => results.filter((result) => result.status === status).length;
	const skipped = count('skipped');
	say(`total ${seconds(started)}`);
	process.stdout.write(`${LABEL}: ${count('passed')} passed, ${count('failed')} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
	process.exitCode = count('failed') > 0 || count('passed') === 0 ? 1 : 0;
}

const readWorkflow = (file) => JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8'));

/** The run `n8n execute` logged (a JSON log record whose message is the run as JSON), or undefined. */
function executionResult(stdout) {
	let found;
	for (const line of stdout.split('\n')) {
		try {
			const record = JSON.parse(line);
			if (typeof record.message !== 'string' || !record.message.startsWith('{')) continue;
			const message = JSON.parse(record.message);
			if (message?.data?.resultData) found = message;
		} catch {
			/* not a log record, or a message that is not a run */
		}
	}
	return found;
}

/**
 * Waits until `n8n start` has finished starting: it listens (and answers /healthz) early, but registers the
 * icon routes and activates workflows later, and logs "Editor is now accessible via" last. Returns the editor's
 * node and credential types n8n wrote to its static cache.
 */
async function waitForN8n(server, baseUrl, typesDir, logsOnFailure, timeoutMs = 180_000) {
	const deadline = Date.now() + timeoutMs;
	const [startLog] = logsOnFailure;
	let exited;
	server.exited.then((result) => (exited = result));
	while (Date.now() < deadline) {
		if (exited) throw new CaseFailure(`n8n start exited early (${exited.code ?? exited.signal})`, logsOnFailure);
		const started = fs.existsSync(startLog) && fs.readFileSync(startLog, 'utf8').includes('Editor is now accessible via');
		const healthy = started && (await fetch(`${baseUrl}/healthz/readiness`).then((response) => response.ok, () => false));
		if (healthy) {
			try {
				const nodes = JSON.parse(fs.readFileSync(path.join(typesDir, 'nodes.json'), 'utf8'));
				const credentials = JSON.parse(fs.readFileSync(path.join(typesDir, 'credentials.json'), 'utf8'));
				return { nodes, credentials };
			} catch {
				/* not written yet, or half written */
			}
		}
		await sleep(500);
	}
	throw new CaseFailure(`n8n start was not ready within ${timeoutMs / 1000} s`, logsOnFailure);
}

/**
 * n8n 2.x needs a newer Node than this one: provision it (scripts/provision-node.sh) and run this same runner under
 * it, with its bin first on PATH (npm, n8n's task runner) and npm_config_nodedir at its headers (native rebuilds).
 */
function rerunUnderNode(version) {
	const since = Date.now();
	const { spawnSync, spawn } = require('node:child_process');
	const provision = spawnSync('bash', [path.join(ROOT, 'scripts', 'provision-node.sh')], { cwd: ROOT, env: { ...process.env, NODE_VERSION: version }, encoding: 'utf8' });
	if (provision.status !== 0) {
		process.stdout.write(`${provision.stderr}${LABEL}: FAIL setup: scripts/provision-node.sh (Node ${version}) failed\n${LABEL}: 0 passed, 1 failed\n`);
		process.exit(1);
	}
	const nodeDir = provision.stdout.trim().split('\n').pop();
	say(`Node ${version} ready at ${nodeDir} (${seconds(since)}); running the e2e cases under it`);
	const env = { ...process.env, PATH: `${path.join(nodeDir, 'bin')}${path.delimiter}${process.env.PATH}`, npm_config_nodedir: nodeDir };
	const child = spawn(path.join(nodeDir, 'bin', 'node'), [__filename, ...process.argv.slice(2)], { stdio: 'inherit', env });
	// Ctrl-C reaches the child too (same process group): it cleans up and exits, and so does this process then. A
	// SIGTERM sent to this process alone is passed on.
	process.on('SIGINT', () => undefined);
	process.on('SIGTERM', () => child.kill('SIGTERM'));
	child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (HOST.node && process.versions.node !== HOST.node) rerunUnderNode(HOST.node);
else main();
