'use strict';
/**
 * What `npm start` runs, on loopback only: a real n8n (SQLite) with this package installed the way users install
 * it, the Lite gateway in sandbox mode, and the Cloud API sandbox (test/fakes/cloudSandbox.ts, NOT Meta), with
 * credentials for both sandboxes and the example workflows imported, and n8n's owner account set up.
 * scripts/start.js prints what it started; the browser tests (test/ui) start the same stack on free ports.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { run, startBackground, stop, sleep, freePortOr } = require('../../test/e2e/lib/processes');
const { ROOT, provisionN8n, installPackage, n8nEnvironment, waitForN8n } = require('../../test/e2e/lib/n8nHost');
const { requireTypeScriptFake } = require('../../test/e2e/lib/loadTypeScript');

const LITE_MAIN = path.join(ROOT, 'lite', 'dist', 'lite', 'src', 'main.js');
const EXAMPLES = path.join(ROOT, 'examples');
const OWNER = { email: 'owner@example.com', firstName: 'Sandbox', lastName: 'Owner' };
const LITE_SUIT = 'default';

/** The credentials the imported workflows use (the examples' own credential IDs). */
const CREDENTIAL_IDS = { cloud: 'whatsAppCloudCred', lite: 'whatsAppLiteCred', relay: 'whatsAppRelayCred' };
/** The sandbox Meta app's name in the gateway's RELAY_APPS: its relay callback is <gateway>/meta/sandbox. */
const RELAY_APP = 'sandbox';

/** The example workflows, imported under fixed IDs (re-importing on the next start updates them). */
const WORKFLOWS = {
	segment: { id: 'sbxSegmentSend01', file: 'segment-send.lite.json' },
	keyword: { id: 'sbxKeywordReply1', file: 'keyword-auto-reply.lite.json' },
	cloudKeyword: { id: 'sbxCloudKeyword1', file: 'keyword-auto-reply.cloud.json' },
	template: { id: 'sbxTemplateSend1', file: 'template-send.cloud.json' },
	progress: { id: 'sbxCampaignProg1', file: 'campaign-progress.lite.json' },
	approval: { id: 'sbxApprovalAsk01', file: 'approval.lite.json' },
};

/** The sandbox pace of the segment example: seconds instead of the file's 3 to 5 minutes (a real number needs those). */
const SANDBOX_PACE = { minDelayMinutes: 0.02, maxDelayMinutes: 0.05 };

class StackFailure extends Error {
	constructor(message, logFile) {
		super(message);
		this.logFile = logFile;
	}
}

/** Secrets made once per data folder and kept there (mode 600), so logins and credentials survive a restart. */
function sandboxSecrets(dataDir) {
	const file = path.join(dataDir, 'sandbox-secrets.json');
	if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
	const random = (bytes = 18) => crypto.randomBytes(bytes).toString('base64url');
	const secrets = {
		encryptionKey: random(24),
		ownerPassword: `Sandbox-${random(9)}-7`, // n8n wants 8+ characters with a digit and an upper-case letter
		liteApiKey: random(),
		liteWebhookSecret: random(),
		cloudAccessToken: `EAASANDBOX${random(24)}`,
		cloudAppSecret: random(16),
		cloudVerifyToken: random(12),
	};
	fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
	return secrets;
}

function credentials({ cloudUrl, liteUrl, secrets, cloudIds }) {
	return [
		{
			id: CREDENTIAL_IDS.cloud,
			name: 'WhatsApp Cloud API (local sandbox, not Meta)',
			type: 'whatsAppCloudApi',
			data: {
				accessToken: secrets.cloudAccessToken,
				phoneNumberId: cloudIds.phoneNumberId,
				businessAccountId: cloudIds.businessAccountId,
				apiVersion: 'v23.0',
				appSecret: secrets.cloudAppSecret,
				verifyToken: secrets.cloudVerifyToken,
				baseUrl: cloudUrl,
			},
		},
		{
			id: CREDENTIAL_IDS.lite,
			name: 'WhatsApp Lite Container (sandbox)',
			type: 'whatsAppLiteApi',
			data: { url: liteUrl, apiKey: secrets.liteApiKey, suitId: LITE_SUIT, webhookSecret: secrets.liteWebhookSecret },
		},
		{
			id: CREDENTIAL_IDS.relay,
			name: 'WhatsApp Cloud webhook relay (sandbox gateway)',
			type: 'whatsAppRelayApi',
			data: { url: liteUrl, apiKey: secrets.liteApiKey, app: RELAY_APP },
		},
	];
}

/** How often a first install of n8n (minutes, and npm says nothing meanwhile) says how far it got. */
const HEARTBEAT_MS = 20_000;

/** While npm installs n8n into `dir`: a line every HEARTBEAT_MS with the packages in place so far and the time taken. */
function installHeartbeat(say) {
	let timer;
	return {
		watch(dir) {
			const since = Date.now();
			timer ??= setInterval(() => {
				let packages = 0;
				try {
					for (const entry of fs.readdirSync(path.join(dir, 'node_modules')))
						packages += entry.startsWith('@') ? fs.readdirSync(path.join(dir, 'node_modules', entry)).length : 1;
				} catch {
					// npm has not made node_modules yet: 0 so far.
				}
				say(`  … ${packages} packages in place after ${Math.round((Date.now() - since) / 1000)} s`);
			}, HEARTBEAT_MS);
		},
		stop: () => clearInterval(timer),
	};
}

/** The examples as the sandbox imports them: fixed IDs, inactive, the sandbox pace for the segment, its Meta app. */
function exampleWorkflows(cloudIds) {
	return Object.values(WORKFLOWS).map(({ id, file }) => {
		const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
		for (const node of workflow.nodes) {
			if (node.parameters?.delivery) node.parameters.delivery = { ...node.parameters.delivery, ...SANDBOX_PACE };
			if (node.parameters?.registerAutomatically) node.parameters.appId = cloudIds.appId;
		}
		return { ...workflow, id, active: false, name: `${workflow.name} [sandbox]` };
	});
}

async function startLiteGateway({ port, secrets, loginDelayMs, stateDir, logFile }) {
	if (!fs.existsSync(LITE_MAIN))
		throw new StackFailure(`the Lite gateway is not built (${path.relative(ROOT, LITE_MAIN)}): run npm run build --prefix lite`);
	const env = {
		...process.env,
		PORT: String(port),
		DRIVER: 'sandbox',
		API_KEY: secrets.liteApiKey,
		SUIT_ID: LITE_SUIT,
		WEBHOOK_SECRET: secrets.liteWebhookSecret,
		SANDBOX_LOGIN_DELAY_MS: String(loginDelayMs),
		SANDBOX_ACK_DELAY_MS: '300',
		// The segment example is handed to the gateway as a campaign: the sandbox pace is seconds (SANDBOX_PACE), so
		// no minimum of minutes; n8n (the trigger's webhooks) and the examples' media are on this machine.
		MIN_DELAY_MINUTES: '0',
		WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
		MEDIA_ALLOWED_HOSTS: '127.0.0.1',
		STATE_DIR: stateDir,
		// The Cloud API sandbox's app: what it "receives" also goes to the relay (docs/cloud-api-sandbox.md).
		RELAY_APPS: JSON.stringify({ [RELAY_APP]: { appSecret: secrets.cloudAppSecret, verifyToken: secrets.cloudVerifyToken } }),
	};
	delete env.REDIS_URL; // in-memory quota, campaigns and webhooks: a sandbox
	delete env.REDIS_KEY_PREFIX;
	const gateway = startBackground(process.execPath, [LITE_MAIN], { cwd: path.join(ROOT, 'lite'), env, logFile });
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		if (gateway.child.exitCode !== null)
			throw new StackFailure(`the Lite gateway exited at start-up (code ${gateway.child.exitCode})`, logFile);
		if (
			await fetch(`${url}/healthz`).then(
				(response) => response.ok,
				() => false,
			)
		)
			return { ...gateway, url };
		await sleep(200);
	}
	throw new StackFailure('the Lite gateway did not answer /healthz within 30 s', logFile);
}

/** n8n's owner account: set up on the first start (the instance has none yet), reused after. */
async function ensureOwner(baseUrl, password) {
	const setup = await fetch(`${baseUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ ...OWNER, password }),
	});
	if (setup.ok) return;
	const login = await fetch(`${baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password }),
	});
	if (!login.ok)
		throw new StackFailure(
			`n8n's owner account could not be set up (${setup.status}: ${(await setup.text()).slice(0, 200)}) and the sandbox login fails (${login.status})`,
		);
}

/**
 * Starts everything; resolves with the addresses, logins and `stop()`. `ports` may name fixed ports (npm start) or
 * leave them to be picked; `liteLoginDelayMs` is when the sandbox "scans" its QR (-1: only on POST /sandbox/scan).
 */
async function startSandboxStack({ host = {}, dataDir, ports = {}, liteLoginDelayMs = -1, say = () => undefined }) {
	// Fresh logs every start: waiting for n8n reads its log, which must not hold an earlier start's lines.
	fs.rmSync(path.join(dataDir, 'logs'), { recursive: true, force: true });
	fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
	const logFile = (name) => path.join(dataDir, 'logs', `${name}.log`);
	const secrets = sandboxSecrets(dataDir);
	const started = [];
	const stopAllStarted = async () => {
		for (const part of started.reverse()) await part().catch(() => undefined);
	};
	try {
		say(`Provisioning n8n ${host.n8n ?? '1.x (pinned)'} into the cache (minutes the first time; log: ${logFile('provision')})`);
		let pending = '';
		const heartbeat = installHeartbeat(say);
		const provision = await provisionN8n({
			version: host.n8n,
			logFile: logFile('provision'),
			progress: (chunk) => {
				const lines = (pending + chunk).split('\n');
				pending = lines.pop();
				for (const line of lines) {
					if (/^provision-(n8n|node):/.test(line)) say(`  ${line}`);
					const installing = /^provision-n8n: installing \S+ into (\S+)/.exec(line);
					if (installing) heartbeat.watch(installing[1]);
				}
			},
		}).finally(() => heartbeat.stop());
		if (provision.failed) throw new StackFailure('scripts/provision-n8n.sh failed', logFile('provision'));
		say(`n8n ${provision.version} ready at ${provision.host}`);

		const userFolder = path.join(dataDir, 'n8n');
		const installed = await installPackage({ userFolder, packDir: dataDir, logFile: logFile('npm-install') });
		if (installed.failed) throw new StackFailure(`${installed.what} failed`, installed.failed.logFile);
		say(`Installed ${installed.packed.filename} into ${installed.nodesDir} (npm install, as the README says)`);

		const port = {
			n8n: await freePortOr(ports.n8n, 'n8n'),
			cloud: await freePortOr(ports.cloud, 'the Cloud API sandbox'),
			lite: await freePortOr(ports.lite, 'the Lite gateway'),
			broker: await freePortOr(undefined),
		};
		const { startCloudSandbox, CLOUD_SANDBOX_IDS, SANDBOX_LABEL } = requireTypeScriptFake('cloudSandbox.ts');
		const cloud = await startCloudSandbox({
			accessToken: secrets.cloudAccessToken,
			appSecret: secrets.cloudAppSecret,
			port: port.cloud,
			relayCallback: `http://127.0.0.1:${port.lite}/meta/${RELAY_APP}`,
		});
		started.push(() => cloud.close());
		const lite = await startLiteGateway({
			port: port.lite,
			secrets,
			loginDelayMs: liteLoginDelayMs,
			stateDir: path.join(dataDir, 'lite-state'),
			logFile: logFile('lite-gateway'),
		});
		started.push(() => stop(lite.child, 5_000));

		const baseUrl = `http://127.0.0.1:${port.n8n}`;
		const env = n8nEnvironment({
			userFolder,
			encryptionKey: secrets.encryptionKey,
			runnerBrokerPort: port.broker,
			extra: {
				N8N_PORT: String(port.n8n),
				N8N_LISTEN_ADDRESS: '127.0.0.1',
				N8N_HOST: '127.0.0.1',
				N8N_EDITOR_BASE_URL: `${baseUrl}/`,
				WEBHOOK_URL: `${baseUrl}/`, // where the Lite gateway and the Cloud sandbox deliver to the trigger
				N8N_SECURE_COOKIE: 'false', // plain http on loopback
				N8N_LOG_FORMAT: 'text',
			},
		});
		const n8n = (args, name) =>
			run(process.execPath, [provision.n8nBin, ...args], { cwd: dataDir, env, logFile: logFile(name), timeoutMs: 240_000 });
		const sandboxCredentials = credentials({ cloudUrl: cloud.url, liteUrl: lite.url, secrets, cloudIds: CLOUD_SANDBOX_IDS });
		const staging = fs.mkdtempSync(path.join(dataDir, 'import-'));
		try {
			const credentialsFile = path.join(staging, 'credentials.json');
			fs.writeFileSync(credentialsFile, JSON.stringify(sandboxCredentials), { mode: 0o600 });
			const workflowsDir = path.join(staging, 'workflows');
			fs.mkdirSync(workflowsDir);
			for (const workflow of exampleWorkflows(CLOUD_SANDBOX_IDS))
				fs.writeFileSync(path.join(workflowsDir, `${workflow.id}.json`), JSON.stringify(workflow, null, 2));
			say("Importing the sandbox credentials and example workflows (the first time includes n8n's database set-up)");
			for (const [args, name] of [
				[['import:credentials', `--input=${credentialsFile}`], 'import-credentials'],
				[['import:workflow', '--separate', `--input=${workflowsDir}`], 'import-workflows'],
			]) {
				const result = await n8n(args, name);
				if (result.code !== 0) throw new StackFailure(`n8n ${args[0]} failed`, result.logFile);
			}
		} finally {
			fs.rmSync(staging, { recursive: true, force: true });
		}

		say(`Starting n8n at ${baseUrl} (log: ${logFile('n8n')})`);
		const server = startBackground(process.execPath, [provision.n8nBin, 'start'], { cwd: dataDir, env, logFile: logFile('n8n') });
		started.push(() => stop(server.child));
		await waitForN8n({
			server,
			baseUrl,
			userFolder,
			startLog: logFile('n8n'),
			fail: (message) => new StackFailure(message, logFile('n8n')),
		});
		await ensureOwner(baseUrl, secrets.ownerPassword);

		return {
			n8n: {
				url: baseUrl,
				version: provision.version,
				owner: { email: OWNER.email, password: secrets.ownerPassword },
				userFolder,
				logFile: logFile('n8n'),
			},
			cloud: { url: cloud.url, label: SANDBOX_LABEL, sandbox: cloud, ids: CLOUD_SANDBOX_IDS, credentialData: sandboxCredentials[0].data },
			lite: {
				url: lite.url,
				apiKey: secrets.liteApiKey,
				suitId: LITE_SUIT,
				logFile: logFile('lite-gateway'),
				credentialData: sandboxCredentials[1].data,
				loginLink: () => liteLoginLink(lite.url, secrets.liteApiKey),
			},
			workflows: Object.fromEntries(Object.entries(WORKFLOWS).map(([key, { id }]) => [key, id])),
			credentialIds: CREDENTIAL_IDS,
			stop: stopAllStarted,
		};
	} catch (error) {
		await stopAllStarted();
		throw error;
	}
}

/** A one-time link to the gateway's QR page (POST /ui/links with the API key): the key itself never goes in a URL. */
async function liteLoginLink(liteUrl, apiKey) {
	const response = await fetch(`${liteUrl}/ui/links`, { method: 'POST', headers: { appApiKey: apiKey } });
	if (!response.ok) throw new StackFailure(`the Lite gateway refused a login link (${response.status})`);
	return `${liteUrl}${(await response.json()).path}`;
}

module.exports = { startSandboxStack, StackFailure, WORKFLOWS };
