'use strict';
/**
 * A real n8n for this package, shared by the e2e runner (test/e2e/run-in-n8n.js) and `npm start`
 * (scripts/start.js): which n8n by `--n8n`, provisioning it into the cache (scripts/provision-n8n.sh, and Node 24
 * from scripts/provision-node.sh for n8n 2.x), installing the freshly built package into `.n8n/nodes` with the
 * README's command, the environment n8n runs with, and waiting until `n8n start` is ready.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { run, sleep } = require('./processes');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

// n8n hosts by major version: `--n8n 2` (or a full version, `--n8n 2.40.0`); without it n8n 1.x (provision-n8n.sh's
// default, or N8N_VERSION). n8n 2.41 needs Node >= 24; 2.41.3, the newest 2.x, does not install from this registry
// (@n8n/agents@0.26.2 is missing), 2.41.1 does.
const HOSTS = { 2: { n8n: '2.41.1', node: '24.11.1' } };

/** The README's manual install, run in `.n8n/nodes` (n8n-workflow is an optional peer: n8n's own copy is used). */
const README_INSTALL_ARGS = ['install', '--no-audit', '--no-fund', '--loglevel=error'];

/** `--n8n <major>|<version>` from argv: { major, host: { n8n?, node? }, label }; exits with usage on a bad value. */
function n8nChoice(argv, usage) {
	const index = argv.findIndex((arg) => arg === '--n8n' || arg.startsWith('--n8n='));
	if (index < 0) return { major: 1, host: {} };
	const value = argv[index].includes('=') ? argv[index].split('=')[1] : argv[index + 1];
	if (!/^\d+(\.\d+\.\d+)?$/.test(value ?? '')) {
		process.stderr.write(`usage: ${usage}  (got --n8n ${value})\n`);
		process.exit(2);
	}
	const major = Number(value.split('.')[0]);
	return { major, host: { ...HOSTS[major], ...(value.includes('.') ? { n8n: value } : {}) } };
}

/**
 * Runs `command` in this process's stead: SIGINT, SIGTERM and SIGHUP sent to this process go to it, and its exit is
 * this process's. It gets a process group of its own, so a Ctrl-C in the terminal reaches it once, through here; a
 * signal sent to this process alone (as npm passes Ctrl-C on to `npm start`'s script) stops it too.
 */
function runAsStandIn(command, args, env) {
	const child = spawn(command, args, { stdio: 'inherit', env, detached: true });
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
	child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
	return child;
}

/**
 * n8n 2.x needs a newer Node than this one: provision it (scripts/provision-node.sh) and run the same script under
 * it, with its bin first on PATH (npm, n8n's task runner) and npm_config_nodedir at its headers (native rebuilds).
 * Returns false when this Node is already the one wanted (the caller goes on), true when the child took over.
 */
function rerunUnderNode(version, say) {
	if (!version || process.versions.node === version) return false;
	const since = Date.now();
	const provision = spawnSync('bash', [path.join(ROOT, 'scripts', 'provision-node.sh')], {
		cwd: ROOT,
		env: { ...process.env, NODE_VERSION: version },
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	if (provision.status !== 0) {
		say(`FAIL setup: scripts/provision-node.sh (Node ${version}) failed`);
		process.exit(1);
	}
	const nodeDir = provision.stdout.trim().split('\n').pop();
	say(`Node ${version} ready at ${nodeDir} (${((Date.now() - since) / 1000).toFixed(1)} s); running under it`);
	const env = { ...process.env, PATH: `${path.join(nodeDir, 'bin')}${path.delimiter}${process.env.PATH}`, npm_config_nodedir: nodeDir };
	runAsStandIn(path.join(nodeDir, 'bin', 'node'), process.argv.slice(1), env);
	return true;
}

/**
 * Installs (or reuses) the pinned n8n; resolves with { host, n8nBin, version }. `logFile` gets the script's output;
 * with `progress`, its lines are also passed on as they come (a first install takes minutes).
 */
async function provisionN8n({ version, logFile, progress }) {
	const env = version ? { ...process.env, N8N_VERSION: version } : process.env;
	const result = await run('bash', [path.join(ROOT, 'scripts', 'provision-n8n.sh')], {
		cwd: ROOT,
		env,
		logFile,
		timeoutMs: 20 * 60_000,
		onOutput: progress,
	});
	if (result.code !== 0) return { failed: result };
	const host = result.stdout.trim().split('\n').pop();
	const n8nBin = path.join(host, 'node_modules', 'n8n', 'bin', 'n8n');
	const installed = JSON.parse(fs.readFileSync(path.join(host, 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
	return { host, n8nBin, version: installed };
}

/**
 * `npm pack`s this package into `packDir` and installs the tarball into `<userFolder>/.n8n/nodes` with the README's
 * command, the way users install a community package by hand. Resolves with { installedDir, packed } or { failed }.
 */
async function installPackage({ userFolder, packDir, logFile }) {
	const pack = await run('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: ROOT, logFile, timeoutMs: 120_000 });
	if (pack.code !== 0) return { failed: pack, what: 'npm pack' };
	const packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const manifest = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(manifest))
		fs.writeFileSync(manifest, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	const install = await run('npm', [...README_INSTALL_ARGS, path.join(packDir, packed.filename)], {
		cwd: nodesDir,
		logFile,
		timeoutMs: 300_000,
	});
	if (install.code !== 0) return { failed: install, what: `npm install ${packed.filename} in .n8n/nodes` };
	return { installedDir: path.join(nodesDir, 'node_modules', PKG.name), nodesDir, packed };
}

/** Environment for every n8n command: the given user folder and nothing inherited that could redirect n8n. */
function n8nEnvironment({ userFolder, encryptionKey, runnerBrokerPort, extra = {} }) {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|GENERIC_TIMEZONE$)/.test(key)) continue;
		env[key] = value;
	}
	return {
		...env,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: encryptionKey,
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

/**
 * Waits until `n8n start` has finished starting: it listens (and answers /healthz) early, but registers the
 * icon routes and activates workflows later, and logs "Editor is now accessible via" last. Resolves with the
 * editor's node and credential types n8n wrote to its static cache; rejects with `fail(message)`'s error.
 */
async function waitForN8n({ server, baseUrl, userFolder, startLog, fail, timeoutMs = 180_000 }) {
	const typesDir = path.join(userFolder, '.cache', 'n8n', 'public', 'types');
	const deadline = Date.now() + timeoutMs;
	let exited;
	server.exited.then((result) => (exited = result));
	while (Date.now() < deadline) {
		if (exited) throw fail(`n8n start exited early (${exited.code ?? exited.signal})`);
		const started = fs.existsSync(startLog) && fs.readFileSync(startLog, 'utf8').includes('Editor is now accessible via');
		const healthy =
			started &&
			(await fetch(`${baseUrl}/healthz/readiness`).then(
				(response) => response.ok,
				() => false,
			));
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
	throw fail(`n8n start was not ready within ${timeoutMs / 1000} s`);
}

/** n8n 2.x publishes a workflow with `publish:workflow`; `update:workflow --active=true` is 1.x's way. */
function activateArgs(major, workflowId) {
	return major >= 2 ? ['publish:workflow', `--id=${workflowId}`] : ['update:workflow', `--id=${workflowId}`, '--active=true'];
}

module.exports = {
	ROOT,
	PKG,
	n8nChoice,
	rerunUnderNode,
	runAsStandIn,
	provisionN8n,
	installPackage,
	n8nEnvironment,
	waitForN8n,
	activateArgs,
	README_INSTALL_ARGS,
};
