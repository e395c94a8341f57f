#!/usr/bin/env node
'use strict';
/**
 * End-to-end proof in a real n8n process (`npm run test:n8n`, which builds first).
 *
 * 1. Provisions (or reuses) the pinned n8n host with scripts/provision-n8n.sh.
 * 2. `npm pack`s this package and installs the tarball into a fresh $N8N_USER_FOLDER/.n8n/nodes with
 *    the README's `npm install <tarball>`, the way users install a community package by hand (n8n-workflow is an
 *    optional peer dependency, so npm leaves it to n8n's own copy; the package case checks that it did).
 * 3. Case "package": every file of package.json's `n8n` section is in the installed package and loads, icons and
 *    codex files were copied.
 * 4. Case "send": imports a WhatsApp Cloud API credential pointing at the fake Graph API (test/fakes/graphApi.ts,
 *    running in this process on loopback) and test/e2e/workflows/send-text.json, runs `n8n execute --id`, and
 *    checks the exact request bodies the fake received and the items n8n output.
 * 5. Case "loads": `n8n start`, then every node and credential of the package must be in the node/credential
 *    types n8n generated for its editor, and their icons must be served by n8n.
 *
 * `--n8n 2` (`npm run test:n8n2`) runs the same cases in n8n 2.x (HOSTS in lib/n8nHost.js, shared with `npm start`): Node 24 comes from the npm registry
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
const { randomUUID } = require('node:crypto');
const { run, startBackground, stop, stopAll, killAllSync, freePort, tail } = require('./lib/processes');
const {
	ROOT,
	PKG,
	n8nChoice,
	rerunUnderNode,
	provisionN8n,
	installPackage,
	n8nEnvironment: hostEnvironment,
	waitForN8n,
	activateArgs,
} = require('./lib/n8nHost');
const { requireTypeScriptFake } = require('./lib/loadTypeScript');
const { checkInstalledPackage } = require('./lib/packageCheck');
const { triggerCase } = require('./lib/triggerCase');
const { loadCase } = require('./lib/loadCase');
const { queueCase, liteCredential, QUEUE_SEGMENT_WORKFLOW, LITE_API_KEY: LITE_QUEUE_API_KEY } = require('./lib/queueCase');
const { startQueueTopology } = require('./lib/queueTopology');
const {
	triggerThroughProcessors,
	cloudSegmentAtScale,
	cloudCredential,
	SCALE_WORKFLOWS,
	SCALE_WEBHOOK_PATHS,
} = require('./lib/queueScaleCase');
const { campaignCase } = require('./lib/campaignCase');
const { retryCase } = require('./lib/retryCase');
const { bsuidCase, BSUID_WORKFLOW } = require('./lib/bsuidCase');
const { carouselFlowCase, CAROUSEL_FLOW_WORKFLOW } = require('./lib/carouselFlowCase');
const { liteGatewayCase } = require('./lib/liteGatewayCase');
const { relayCase } = require('./lib/relayCase');
const { sendAndWaitCase, SEND_AND_WAIT_WORKFLOW } = require('./lib/sendAndWaitCase');
const { startLiteGateway } = require('./lib/liteGateway');
const { startRedisServer } = require('./lib/redisServer');
const { requireFakeLiteContainer } = require('./lib/loadLiteFake');
const { waitForWebhook } = require('./lib/webhookReady');

const { major: N8N_MAJOR, host: HOST } = n8nChoice(process.argv.slice(2), 'node test/e2e/run-in-n8n.js [--n8n <major>|<version>]');
const LABEL = N8N_MAJOR >= 2 ? `e2e n8n ${N8N_MAJOR}.x` : 'e2e';

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
// The real Lite gateway in sandbox mode (lib/liteGateway.js) for the lite-gateway case, and its workflows.
const LITE_GATEWAY = {
	credential: { id: 'e2eLiteGwCred001', name: 'WhatsApp Lite (e2e sandbox gateway)' },
	suitId: 'suit-e2e-gateway',
	apiKey: 'e2e-lite-gateway-api-key-not-a-secret',
	webhookSecret: 'e2e-lite-gateway-webhook-secret',
	sendWorkflowId: 'e2eLiteGwCamp001',
	progressWorkflowFile: 'lite-gateway-progress.json',
};
// The same gateway as the Cloud webhook relay of the e2e Meta app (lib/relayCase.js), and the relay's workflows.
const RELAY = {
	credential: { id: 'e2eRelayCred0001', name: 'WhatsApp relay (e2e sandbox gateway)' },
	app: 'e2e-app',
	workflowFiles: {
		all: 'relay-all-messages.json',
		statuses: 'relay-statuses.json',
		second: 'relay-second-number.json',
		direct: 'relay-direct-baseline.json',
	},
};
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

/** Environment for every n8n command: this run's scratch user folder, a fixed encryption key, its own broker port. */
function n8nEnvironment(tmp, extra = {}) {
	return hostEnvironment({
		userFolder: path.join(tmp, 'user'),
		encryptionKey: 'e2e-fixed-encryption-key-not-a-secret',
		runnerBrokerPort,
		extra,
	});
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
		const provision = await provisionN8n({ version: HOST.n8n, logFile: logFile('provision') });
		if (provision.failed) throw new CaseFailure('scripts/provision-n8n.sh failed', [provision.failed.logFile]);
		const { host, n8nBin } = provision;
		say(`n8n ${provision.version} host ready at ${host}, Node ${process.version} (${seconds(since)})`);

		since = Date.now();
		const userFolder = path.join(tmp, 'user');
		const installed = await installPackage({ userFolder, packDir: tmp, logFile: logFile('npm-install') });
		if (installed.failed) throw new CaseFailure(`${installed.what} failed`, [installed.failed.logFile]);
		const { installedDir, nodesDir, packed } = installed;
		say(
			`packed ${packed.filename} (${packed.entryCount} files) and installed it into .n8n/nodes with the README's npm install (${seconds(since)})`,
		);

		// Nodes require('n8n-workflow') from n8n's own copy, exactly as inside n8n (which sets NODE_PATH the same way).
		process.env.NODE_PATH = [path.join(host, 'node_modules', 'n8n', 'node_modules'), path.join(host, 'node_modules')].join(path.delimiter);
		Module._initPaths();

		// --- case: package ------------------------------------------------------------------------------------
		let inventory;
		await runCase('package: n8n section, files and icons in the installed package', async () => {
			inventory = checkInstalledPackage(installedDir, ROOT);
			const messages = [
				// The README's install must leave n8n-workflow to n8n: a copy in .n8n/nodes (npm picks the newest, whose
				// isolated-vm needs Node 24) breaks the install on Node 20 and shadows n8n's own.
				...(fs.existsSync(path.join(nodesDir, 'node_modules', 'n8n-workflow'))
					? ["npm installed the n8n-workflow peer dependency into .n8n/nodes (it must stay n8n's own)"]
					: []),
				...inventory.missing.map(
					({ kind, file }) => `${file} is listed in package.json "n8n.${kind}" but is not in the package (not built yet?)`,
				),
				...inventory.problems,
			];
			if (inventory.missing.length) {
				// n8n refuses the whole package when one listed file is missing; to still learn whether the rest
				// works, the installed copy's n8n section is cut down to the files that exist. This case stays failed.
				const installedJson = path.join(installedDir, 'package.json');
				const pkg = JSON.parse(fs.readFileSync(installedJson, 'utf8'));
				for (const kind of ['credentials', 'nodes'])
					pkg.n8n[kind] = (pkg.n8n[kind] ?? []).filter((file) => fs.existsSync(path.join(installedDir, file)));
				fs.writeFileSync(installedJson, JSON.stringify(pkg, null, 2));
				messages.push('(the other cases run with the installed n8n section cut down to the files that exist)');
			}
			if (messages.length) throw new CaseFailure(`\n  - ${messages.join('\n  - ')}`);
			return `${inventory.nodes.length} nodes, ${inventory.credentials.length} credentials`;
		});
		if (!inventory) throw new CaseFailure('the installed package could not be inspected');

		// --- fake Graph API, credential, workflows ------------------------------------------------------------
		const { startFakeGraphApi } = requireTypeScriptFake('graphApi.ts');
		// The business account's templates, for Template Send (the carousel-flow case).
		const { TEMPLATES } = requireTypeScriptFake('graphTemplates.ts');
		fake = await startFakeGraphApi({ ...FAKE, businessAccountId: CREDENTIAL_DATA.businessAccountId, templates: TEMPLATES });
		const { startFakeLiteContainer, FAKE_SUIT_ID } = requireFakeLiteContainer();
		liteFake = await startFakeLiteContainer(LITE_API_KEY);
		// The real gateway with its own Redis; a failure to start fails the lite-gateway case only.
		const liteGateway = await startGatewayWithRedis(tmp, logFile).catch((error) => ({ failure: error }));
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
				{
					...LITE_GATEWAY.credential,
					type: 'whatsAppLiteApi',
					data: {
						url: liteGateway.url ?? 'http://127.0.0.1:9',
						apiKey: LITE_GATEWAY.apiKey,
						suitId: LITE_GATEWAY.suitId,
						webhookSecret: LITE_GATEWAY.webhookSecret,
					},
				},
				{
					...SEND_AND_WAIT_WORKFLOW.redisCredential,
					type: 'whatsAppRedis',
					// The gateway's private Redis, under a prefix of its own: the open questions outlive an n8n restart.
					data: { host: '127.0.0.1', port: liteGateway.redisPort ?? 9, password: '', database: 0, tls: false, keyPrefix: 'e2e-ask:' },
				},
				{
					...RELAY.credential,
					type: 'whatsAppRelayApi',
					data: { url: liteGateway.url ?? 'http://127.0.0.1:9', apiKey: LITE_GATEWAY.apiKey, app: RELAY.app },
				},
			]),
		);

		since = Date.now();
		const env = n8nEnvironment(tmp);
		const n8n = (args, name, timeoutMs = 240_000) =>
			run(process.execPath, [n8nBin, ...args], { cwd: tmp, env, logFile: logFile(name), timeoutMs });
		const importCredentials = await n8n(['import:credentials', `--input=${credentialsFile}`], 'import-credentials');
		if (importCredentials.code !== 0) throw new CaseFailure('n8n import:credentials failed', [importCredentials.logFile]);
		const importWorkflows = await n8n(['import:workflow', '--separate', `--input=${WORKFLOWS_DIR}`], 'import-workflows');
		if (importWorkflows.code !== 0) throw new CaseFailure('n8n import:workflow failed', [importWorkflows.logFile]);
		say(
			`imported the credential and ${fs.readdirSync(WORKFLOWS_DIR).length} workflow(s) (${seconds(since)}, includes n8n's first-run migrations)`,
		);

		// --- case: send -----------------------------------------------------------------------------------------
		await runCase('send: n8n execute runs WhatsApp Send (text, 2 recipients) against the fake Graph API', async () => {
			const execution = await n8n(['execute', `--id=${SEND_WORKFLOW_ID}`, '--rawOutput'], 'execute-send');
			const logsOnFailure = [execution.logFile];
			const outcome = executionResult(execution.stdout);
			const workflowError = outcome?.data?.resultData?.error;
			if (workflowError) {
				const where = workflowError.node?.name ? ` in node "${workflowError.node.name}"` : '';
				throw new CaseFailure(
					`the workflow failed${where}: ${workflowError.message}${workflowError.description ? ` — ${workflowError.description}` : ''}`,
					logsOnFailure,
				);
			}
			if (execution.code !== 0 || !outcome) {
				throw new CaseFailure(
					`n8n execute ${execution.timedOut ? 'timed out' : `exited with ${execution.code}`} without a successful run`,
					logsOnFailure,
				);
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
				throw new CaseFailure(
					`${error.message}\n  WhatsApp Send output in n8n: ${shown.length > 1500 ? `${shown.slice(0, 1500)}…` : shown}`,
				);
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
			for (const id of [TRIGGER_WORKFLOW_ID, BSUID_WORKFLOW.id, CAROUSEL_FLOW_WORKFLOW.id, ...loadIds]) {
				const activation = activateArgs(N8N_MAJOR, id);
				const activate = await n8n(activation, `activate-${id}`);
				if (activate.code !== 0) throw new CaseFailure(`n8n ${activation[0]} --id=${id} failed`, [activate.logFile]);
			}
		}
		const progressWorkflow = readWorkflow(LITE_GATEWAY.progressWorkflowFile);
		const relayWorkflows = Object.fromEntries(Object.entries(RELAY.workflowFiles).map(([name, file]) => [name, readWorkflow(file)]));
		const gatewayWorkflows =
			hasTrigger && !liteGateway.failure
				? [
						LITE_GATEWAY.sendWorkflowId,
						progressWorkflow.id,
						...Object.values(relayWorkflows).map((workflow) => workflow.id),
						SEND_AND_WAIT_WORKFLOW.id,
					]
				: [];
		for (const id of [RETRY_WORKFLOW_ID, ...gatewayWorkflows]) {
			const activate = await n8n(activateArgs(N8N_MAJOR, id), `activate-${id}`);
			if (activate.code !== 0) throw new CaseFailure(`n8n could not activate workflow ${id}`, [activate.logFile]);
		}
		const port = await freePort();
		const baseUrl = `http://127.0.0.1:${port}`;
		// WEBHOOK_URL: the trigger registers this address with the Lite gateway, which delivers to it on loopback.
		const startEnv = { ...env, N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', WEBHOOK_URL: `${baseUrl}/` };
		let server = startBackground(process.execPath, [n8nBin, 'start'], { cwd: tmp, env: startEnv, logFile: logFile('start') });
		const startLogs = [logFile('start')];
		const ready = waitForN8n({
			server,
			baseUrl,
			userFolder,
			startLog: logFile('start'),
			fail: (message) => new CaseFailure(message, startLogs),
		});
		ready.catch(() => undefined);
		/** What the Cloud cases on this n8n start share: n8n, the fake Graph API, the credential and n8n's database. */
		const cloudCase = (workflow) => ({
			baseUrl,
			fake,
			workflow,
			credential: CREDENTIAL_DATA,
			databaseFile: path.join(userFolder, '.n8n', 'database.sqlite'),
			host,
			logsOnFailure: startLogs,
			CaseFailure,
		});
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
					if (response.status !== 200 || !/<svg[\s>]/.test(body))
						problems.push(`n8n answers ${response.status} for ${owner}'s icon ${url}`);
				}
				if (problems.length) throw new CaseFailure(`\n  - ${problems.join('\n  - ')}`, startLogs);
				return `${inventory.nodes.length} node types, ${inventory.credentials.length} credential types, ${iconUrls.length} icons served`;
			});

			if (!hasTrigger) {
				skip('trigger: signed Meta webhook into an active WhatsApp Trigger workflow', `the package has no ${TRIGGER_NODE} node`);
			} else {
				await runCase(
					'trigger: a signed Meta webhook starts the active WhatsApp Trigger workflow, which answers via the fake',
					async () => {
						await ready;
						const workflow = JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, 'trigger-echo.json'), 'utf8'));
						const { webhookId } = workflow.nodes.find((node) => node.type.endsWith(`.${TRIGGER_NODE}`));
						await waitForWebhook(`${baseUrl}/webhook/${webhookId}/webhook`); // n8n 2.x activates after start-up
						return await triggerCase(cloudCase(workflow));
					},
				);
				await runCase(
					'bsuid: a phone-less user says hi and the auto-reply reaches them by BSUID; their STOP makes a segment skip them',
					async () => {
						await ready;
						return await bsuidCase(cloudCase(readWorkflow(BSUID_WORKFLOW.file)));
					},
				);
				await runCase(
					"carousel-flow: Template Send sends a carousel (the exact body Meta gets); a Flow's nfm_reply reaches the trigger as flow.answers",
					async () => {
						await ready;
						return await carouselFlowCase(cloudCase(readWorkflow(CAROUSEL_FLOW_WORKFLOW.file)));
					},
				);
				if (process.env.E2E_SKIP_LOAD === '1') skip('load: 2,000 signed events at 20 concurrent requests', 'E2E_SKIP_LOAD=1');
				else {
					await runCase(
						'load: 2,000 signed events at 20 concurrent requests, each exactly one execution (baseline: n8n Webhook node)',
						async () => {
							const [triggerWorkflow, baselineWorkflow] = [readWorkflow(LOAD_WORKFLOWS.trigger), readWorkflow(LOAD_WORKFLOWS.baseline)];
							await waitForWebhook(`${baseUrl}/webhook/${triggerWorkflow.nodes[0].webhookId}/webhook`);
							await waitForWebhook(`${baseUrl}/webhook/${baselineWorkflow.nodes[0].parameters.path}`);
							const databaseFile = path.join(userFolder, '.n8n', 'database.sqlite');
							return await loadCase({
								baseUrl,
								triggerWorkflow,
								baselineWorkflow,
								credential: CREDENTIAL_DATA,
								databaseFile,
								host,
								say,
							}).catch((error) => {
								throw error instanceof assert.AssertionError ? new CaseFailure(error.message, startLogs) : error;
							});
						},
					);
				}
			}

			await runCase("retry: n8n's Retry of a failed segment execution continues its campaign (nobody twice)", async () => {
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

			if (!hasTrigger)
				skip(
					'lite-gateway: a 200-recipient segment handed to the real sandbox gateway, progress back to the trigger',
					`the package has no ${TRIGGER_NODE} node`,
				);
			else {
				await runCase(
					'lite-gateway: a 200-recipient segment handed to the real sandbox gateway; every recipient once; the trigger gets each progress event and the end',
					async () => {
						await ready;
						if (liteGateway.failure)
							throw new CaseFailure(`the Lite gateway did not start: ${liteGateway.failure.message}`, [
								logFile('lite-gateway'),
								logFile('lite-redis'),
							]);
						return await liteGatewayCase({
							baseUrl,
							gateway: liteGateway,
							suitId: LITE_GATEWAY.suitId,
							sendWorkflowId: LITE_GATEWAY.sendWorkflowId,
							progressWorkflow,
							databaseFile: path.join(userFolder, '.n8n', 'database.sqlite'),
							host,
							CaseFailure,
							logsOnFailure: [...startLogs, logFile('lite-gateway')],
						});
					},
				);
			}

			if (!hasTrigger || process.env.E2E_SKIP_RELAY === '1')
				skip(
					'relay: three workflows on one Meta app through the Lite gateway',
					hasTrigger ? 'E2E_SKIP_RELAY=1' : `the package has no ${TRIGGER_NODE} node`,
				);
			else {
				await runCase(
					'relay: three workflows on one Meta app through the gateway, each exactly its events; kill -9 twice under load; deactivation stops one',
					async () => {
						await ready;
						if (liteGateway.failure)
							throw new CaseFailure(`the Lite gateway did not start: ${liteGateway.failure.message}`, [logFile('lite-gateway')]);
						await waitForWebhook(`${baseUrl}/webhook/${relayWorkflows.direct.nodes[0].webhookId}/webhook`);
						return await relayCase({
							baseUrl,
							gateway: liteGateway,
							restartGateway: () => liteGateway.restart(),
							appName: RELAY.app,
							appSecret: CREDENTIAL_DATA.appSecret,
							workflows: relayWorkflows,
							databaseFile: path.join(userFolder, '.n8n', 'database.sqlite'),
							host,
							say,
						}).catch((error) => {
							throw error instanceof assert.AssertionError
								? new CaseFailure(error.message, [...startLogs, logFile('lite-gateway')])
								: error;
						});
					},
				);
			}

			if (!hasTrigger || process.env.E2E_SKIP_SEND_AND_WAIT === '1')
				skip(
					'send-and-wait: ask on Cloud and Lite, resume with the reply',
					hasTrigger ? 'E2E_SKIP_SEND_AND_WAIT=1' : `the package has no ${TRIGGER_NODE} node`,
				);
			else {
				await runCase(
					'send-and-wait: a question on Cloud and on Lite waits in n8n; the reply at the trigger resumes it once (redeliveries resume nothing); the time limit ends it with the timeout item',
					async () => {
						await ready;
						if (liteGateway.failure)
							throw new CaseFailure(`the Lite gateway did not start: ${liteGateway.failure.message}`, [logFile('lite-gateway')]);
						/** Stops n8n and starts it again on the same port and database (a question is waiting meanwhile). */
						const restartN8n = async () => {
							await stop(server.child);
							const startLog = logFile('start-again');
							server = startBackground(process.execPath, [n8nBin, 'start'], { cwd: tmp, env: startEnv, logFile: startLog });
							startLogs.push(startLog);
							await waitForN8n({ server, baseUrl, userFolder, startLog, fail: (message) => new CaseFailure(message, startLogs) });
						};
						return await sendAndWaitCase({
							restartN8n,
							baseUrl,
							fake,
							gateway: liteGateway,
							liteSuitId: LITE_GATEWAY.suitId,
							liteSecret: LITE_GATEWAY.webhookSecret,
							workflow: readWorkflow(SEND_AND_WAIT_WORKFLOW.file),
							credential: CREDENTIAL_DATA,
							databaseFile: path.join(userFolder, '.n8n', 'database.sqlite'),
							host,
						}).catch((error) => {
							throw error instanceof assert.AssertionError
								? new CaseFailure(error.message, [...startLogs, logFile('lite-gateway')])
								: error;
						});
					},
				);
			}
		} finally {
			await stop(server.child);
		}

		// --- cases: queue (lib/queueTopology.js: n8n start, 2 webhook processors, 2 workers; Postgres, Bull on a private Redis) ---
		if (process.env.E2E_SKIP_QUEUE === '1')
			skip('queue: quota, ledger, trigger load and a Cloud segment across queue-mode processes', 'E2E_SKIP_QUEUE=1');
		else await queueCases({ n8nBin, host, tmp, logFile });
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

/**
 * The real Lite gateway in sandbox mode with a private Redis: campaign "minutes" of 10 ms (a 3–5 minute gap is
 * 30–50 ms), no floor of its own under the request's delays, quick webhook retries.
 */
async function startGatewayWithRedis(tmp, logFile) {
	const redis = await startRedisServer({ cwd: tmp, logFile: logFile('lite-redis') });
	const options = {
		stateDir: path.join(tmp, 'lite-state'),
		logFile: logFile('lite-gateway'),
		settings: {
			API_KEY: LITE_GATEWAY.apiKey,
			SUIT_ID: LITE_GATEWAY.suitId,
			WEBHOOK_SECRET: LITE_GATEWAY.webhookSecret,
			REDIS_URL: `redis://127.0.0.1:${redis.port}`,
			DELAY_UNIT_MS: '10',
			MIN_DELAY_MINUTES: '0',
			WEBHOOK_RETRY_BASE_MS: '200',
			// Quick first retries, and a window of about 17 minutes (200 ms doubling, at most 5 minutes apart): a loaded
			// n8n 2.x answered the relay's deliveries 503 or not at all for longer than 8 attempts from 200 ms last.
			WEBHOOK_MAX_ATTEMPTS: '14',
			SANDBOX_ACK_DELAY_MS: '5',
			// The e2e Meta app (the Cloud credential's app secret and verify token) posts to the relay at /meta/e2e-app.
			RELAY_APPS: JSON.stringify({ [RELAY.app]: { appSecret: CREDENTIAL_DATA.appSecret, verifyToken: CREDENTIAL_DATA.verifyToken } }),
		},
	};
	const gateway = await startLiteGateway(options);
	gateway.redisPort = redis.port;
	/** kill -9, then the same gateway again on the same port (the relay case's crashes). */
	gateway.restart = async () => {
		const exited = new Promise((resolve) => gateway.process.child.once('exit', resolve));
		gateway.process.child.kill('SIGKILL');
		await exited;
		gateway.process = (await startLiteGateway({ ...options, port: gateway.port })).process;
	};
	return gateway;
}

/**
 * The queue-mode cases in one topology (main, 2 webhook processors, 2 workers with 2 job slots each): quota and ledger
 * across workers (lib/queueCase.js), then the trigger's load through both processors and a Cloud segment at
 * 1,000/s on the workers (lib/queueScaleCase.js). A topology that does not start fails each case with its reason.
 */
async function queueCases({ n8nBin, host, tmp, logFile }) {
	const { startFakeLiteContainer } = requireFakeLiteContainer();
	const { startFakeGraphApi } = requireTypeScriptFake('graphApi.ts');
	const lite = await startFakeLiteContainer(LITE_QUEUE_API_KEY);
	lite.state.quotaLeft = Number.MAX_SAFE_INTEGER; // the nodes' quota in Redis is the only limit under test
	const graph = await startFakeGraphApi({ accessToken: 'EAAe2eQueueAccessToken0123456789', phoneNumberId: '106540352242933' });
	const keyPrefix = `e2e:${randomUUID()}:`;
	const cloud = cloudCredential(graph);
	let topology;
	const started = startQueueTopology({
		n8nBin,
		host,
		tmp,
		n8nEnvironment,
		logFile,
		CaseFailure,
		say,
		credentials: (redisPort) => [
			liteCredential(lite),
			cloud,
			{
				id: 'e2eRedisCred0001',
				name: 'WhatsApp Redis (e2e private redis-server)',
				type: 'whatsAppRedis',
				data: { host: '127.0.0.1', port: redisPort, password: '', database: 0, tls: false, keyPrefix },
			},
		],
		workflows: [QUEUE_SEGMENT_WORKFLOW, ...SCALE_WORKFLOWS],
		webhookPaths: ['e2e-queue-segment', ...SCALE_WEBHOOK_PATHS],
		webhooks: 2,
		workers: 2,
		workerConcurrency: 2,
	}).then((running) => (topology = running));
	started.catch(() => undefined);
	try {
		await runCase('queue: quota and campaign ledger hold across 2 queue-mode workers (Postgres, Bull, WhatsApp Redis)', async () =>
			queueCase({ topology: await started, fake: lite, keyPrefix, CaseFailure }),
		);
		if (process.env.E2E_SKIP_QUEUE_SCALE === '1') {
			skip('queue-load: the trigger through 2 webhook processors', 'E2E_SKIP_QUEUE_SCALE=1');
			skip('queue-segment: 10,000 Cloud messages at 1,000/s over 4 executions on 2 workers', 'E2E_SKIP_QUEUE_SCALE=1');
			return;
		}
		await runCase(
			'queue-load: 2,000 signed events through 2 webhook processors and 2 workers, each exactly one execution (baseline: n8n Webhook node)',
			async () =>
				triggerThroughProcessors({ topology: await started, credential: cloud, say }).catch((error) => {
					throw error instanceof assert.AssertionError ? new CaseFailure(error.message, topology.logs()) : error;
				}),
		);
		await runCase(
			'queue-segment: 10,000 Cloud messages at 1,000/s over 4 executions on 2 workers, shared pace and quota, everyone once',
			async () =>
				cloudSegmentAtScale({ topology: await started, graph, keyPrefix, CaseFailure, say }).catch((error) => {
					throw error instanceof assert.AssertionError ? new CaseFailure(error.message, topology.logs()) : error;
				}),
		);
	} finally {
		await topology?.stop();
		await lite.close().catch(() => undefined);
		await graph.close().catch(() => undefined);
	}
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

if (!rerunUnderNode(HOST.node, say)) main();
