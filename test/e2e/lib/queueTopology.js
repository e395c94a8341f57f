'use strict';
/**
 * n8n in queue mode for the queue cases: a fresh Postgres database (`createdb n8n_e2e_<random>`, dropped at the
 * end, also on Ctrl-C), a private redis-server for Bull and for the nodes, the given credentials and workflows
 * imported and activated, then `n8n start` (EXECUTIONS_MODE=queue), `webhooks` webhook processors (`n8n webhook`,
 * each on its own port) and `workers` workers (`n8n worker --concurrency=N`), every process with its own task
 * broker port (n8n 2.x always starts one, on 5679 unless told).
 *
 * Needs PostgreSQL at E2E_POSTGRES_HOST:E2E_POSTGRES_PORT (default 127.0.0.1:5432) accepting E2E_POSTGRES_USER
 * (default postgres) without a password, the client tools psql/createdb/dropdb/pg_isready, and redis-server
 * (REDIS_SERVER, default /usr/bin/redis-server). Missing ones fail with what to install.
 */
const { spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { run, startBackground, stop, freePort, sleep } = require('./processes');
const { waitForWebhook } = require('./webhookReady');
const { missingRedisServer, startRedisServer } = require('./redisServer');

const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);
/** An upper bound for a process to start (not a timing assertion): several n8n processes on 2 busy cores are slow. */
const READY_TIMEOUT_MS = 300_000;

const postgres = {
	host: process.env.E2E_POSTGRES_HOST || '127.0.0.1',
	port: process.env.E2E_POSTGRES_PORT || '5432',
	user: process.env.E2E_POSTGRES_USER || 'postgres',
};
const pgArgs = () => ['-h', postgres.host, '-p', postgres.port, '-U', postgres.user];

function sh(command, args) {
	const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } });
	return {
		ok: result.status === 0,
		output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? result.error.message : ''}`.trim(),
	};
}

/** Throws a clear failure unless Postgres (server and client tools) and redis-server are there. */
function preflight(CaseFailure) {
	const missing = ['psql', 'createdb', 'dropdb', 'pg_isready'].filter((tool) => !sh('sh', ['-c', `command -v ${tool}`]).ok);
	if (missing.length) {
		throw new CaseFailure(
			`PostgreSQL client tools missing (${missing.join(', ')}): n8n queue mode needs Postgres. Install them (Debian: apt-get install postgresql-client, ` +
				`and postgresql for the server) and run a server at ${postgres.host}:${postgres.port} that lets user ${postgres.user} in without a password`,
		);
	}
	const ready = sh('pg_isready', pgArgs());
	if (!ready.ok) {
		throw new CaseFailure(
			`PostgreSQL is not accepting connections at ${postgres.host}:${postgres.port} (pg_isready: ${ready.output || 'no answer'}): n8n queue mode needs Postgres. ` +
				'Start it (e.g. `service postgresql start`), or point E2E_POSTGRES_HOST/E2E_POSTGRES_PORT/E2E_POSTGRES_USER at one with trust auth',
		);
	}
	const noRedis = missingRedisServer();
	if (noRedis) throw new CaseFailure(noRedis);
}

async function until(what, check, timeoutMs, logs, CaseFailure) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new CaseFailure(`timed out after ${timeoutMs / 1000} s waiting for ${what}`, logs());
		await sleep(300);
	}
}

const logText = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

/**
 * Starts the topology. `credentials(redisPort)` gives the credentials to import (they may point at the private
 * Redis); `workflows` are workflow objects, imported and activated; `webhookPaths` are waited for on every process
 * that takes webhooks. Resolves with the running topology; `stop()` ends it all (call it in a finally).
 */
async function startQueueTopology({
	n8nBin,
	host,
	tmp,
	n8nEnvironment,
	logFile,
	CaseFailure,
	say,
	credentials,
	workflows,
	webhookPaths,
	webhooks = 0,
	workers = 2,
	workerConcurrency = 2,
}) {
	preflight(CaseFailure);
	const { Client } = require(path.join(host, 'node_modules', 'pg'));
	const { parse } = require(path.join(host, 'node_modules', 'flatted'));
	const database = `n8n_e2e_${randomBytes(6).toString('hex')}`;
	const processes = [];
	let db;
	let created = false;
	const dropOnExit = () => sh('dropdb', [...pgArgs(), '--if-exists', '--force', database]);
	const names = [
		'n8n-queue-main',
		...Array.from({ length: webhooks }, (_u, i) => `n8n-queue-webhook-${i + 1}`),
		...Array.from({ length: workers }, (_u, i) => `n8n-queue-worker-${i + 1}`),
	];
	const logs = () => names.map(logFile).filter((file) => fs.existsSync(file));

	const stopAllOf = async () => {
		await db?.end().catch(() => undefined);
		// n8n first (it still talks to Redis and Postgres while it shuts down), then the private Redis.
		await Promise.all(processes.slice(1).map((entry) => stop(entry.child, 10_000)));
		if (processes[0]) await stop(processes[0].child, 5_000);
		if (created) {
			process.off('exit', dropOnExit);
			const dropped = sh('dropdb', [...pgArgs(), '--if-exists', '--force', database]);
			if (!dropped.ok) say(`queue: could not drop database ${database}: ${dropped.output}`);
		}
	};

	try {
		const createdb = sh('createdb', [...pgArgs(), database]);
		if (!createdb.ok) throw new CaseFailure(`createdb ${database} failed: ${createdb.output}`);
		created = true;
		// Ctrl-C: the runner kills every process and exits without waiting for this case; drop the database then too.
		process.on('exit', dropOnExit);

		// Bull's and the nodes' Redis: private, on a free port, no disk.
		const redis = await startRedisServer({ cwd: tmp, logFile: logFile('redis-server') }).catch((error) => {
			throw new CaseFailure(error.message, [logFile('redis-server')]);
		});
		processes.push(redis.process);

		const credentialsFile = path.join(tmp, 'queue-credentials.json');
		fs.writeFileSync(credentialsFile, JSON.stringify(credentials(redis.port)));
		const workflowsDir = path.join(tmp, 'queue-workflows');
		fs.mkdirSync(workflowsDir, { recursive: true });
		for (const workflow of workflows) fs.writeFileSync(path.join(workflowsDir, `${workflow.id}.json`), JSON.stringify(workflow));

		const env = n8nEnvironment(tmp, {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: postgres.host,
			DB_POSTGRESDB_PORT: postgres.port,
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: '',
			DB_POSTGRESDB_DATABASE: database,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
		});
		const n8n = async (args, name) => {
			const result = await run(process.execPath, [n8nBin, ...args], { cwd: tmp, env, logFile: logFile(name), timeoutMs: 180_000 });
			if (result.code !== 0)
				throw new CaseFailure(`n8n ${args[0]} (queue mode, Postgres) ${result.timedOut ? 'timed out' : `exited with ${result.code}`}`, [
					result.logFile,
				]);
		};
		let since = Date.now();
		await n8n(['import:credentials', `--input=${credentialsFile}`], 'queue-import-credentials');
		await n8n(['import:workflow', '--separate', `--input=${workflowsDir}`], 'queue-import-workflow');
		for (const workflow of workflows)
			await n8n(['update:workflow', `--id=${workflow.id}`, '--active=true'], `queue-activate-${workflow.id}`);
		say(
			`queue: database ${database} migrated, credentials and ${workflows.length} workflow(s) imported and activated (${((Date.now() - since) / 1000).toFixed(1)} s)`,
		);

		since = Date.now();
		const brokerPort = async () => ({ N8N_RUNNERS_BROKER_PORT: String(await freePort()) });
		const listening = async () => {
			const port = await freePort();
			return { port, env: { N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', ...(await brokerPort()) } };
		};
		const started = [];
		const launch = async (name, args, extraEnv, ready) => {
			const child = startBackground(process.execPath, [n8nBin, ...args], {
				cwd: tmp,
				env: { ...env, ...extraEnv },
				logFile: logFile(name),
			});
			processes.push(child);
			started.push({ name, child, ready: () => logText(logFile(name)).includes(ready), log: logFile(name) });
			return child;
		};
		const anyExited = () => {
			for (const { name, child } of started) {
				const { exitCode, signalCode } = child.child;
				if (exitCode !== null || signalCode !== null) throw new CaseFailure(`${name} exited early (${exitCode ?? signalCode})`, logs());
			}
		};
		const ready = async (what) =>
			await until(
				what,
				async () => {
					anyExited();
					if (!started.every((process) => process.ready())) return false;
					return await fetch(`${baseUrl}/healthz/readiness`).then(
						(response) => response.ok,
						() => false,
					);
				},
				READY_TIMEOUT_MS,
				logs,
				CaseFailure,
			);
		// The main process first (it takes the migration lock and activates), then the others together: started all at
		// once on a loaded machine, they starved each other past n8n's own start-up limits (the task runners' grant).
		const main = await listening();
		const baseUrl = `http://127.0.0.1:${main.port}`;
		await launch('n8n-queue-main', ['start'], main.env, 'Editor is now accessible via');
		await ready('n8n start (queue mode) to be ready');
		const webhookUrls = [];
		for (let index = 1; index <= webhooks; index++) {
			const listener = await listening();
			await launch(`n8n-queue-webhook-${index}`, ['webhook'], listener.env, 'Webhook listener waiting for requests');
			webhookUrls.push(`http://127.0.0.1:${listener.port}`);
		}
		const workerLogs = [];
		for (let index = 1; index <= workers; index++) {
			const name = `n8n-queue-worker-${index}`;
			await launch(name, ['worker', `--concurrency=${workerConcurrency}`], await brokerPort(), 'n8n worker is now ready');
			workerLogs.push({ name, log: logFile(name) });
		}
		await ready(`${webhooks} webhook processor(s) and ${workers} workers to be ready`);
		for (const url of [baseUrl, ...webhookUrls])
			for (const webhookPath of webhookPaths)
				await waitForWebhook(`${url}/webhook/${webhookPath}`).catch((error) => {
					throw new CaseFailure(error.message, logs());
				});
		say(
			`queue: n8n start (queue mode), ${webhooks} webhook processor(s) and ${workers} workers ready (${((Date.now() - since) / 1000).toFixed(1)} s)`,
		);

		db = new Client({ host: postgres.host, port: Number(postgres.port), user: postgres.user, database });
		await db.connect();
		/** A workflow's executions, with their parsed run data once finished (unless withData is false). */
		const readExecutions = async (workflowId, { withData = true } = {}) => {
			const { rows } = await db.query(
				`SELECT e.id, e.status, e.mode${withData ? ', d.data' : ''} FROM execution_entity e LEFT JOIN execution_data d ON d."executionId" = e.id WHERE e."workflowId" = $1 ORDER BY e.id`,
				[workflowId],
			);
			return rows.map((row) => ({
				id: String(row.id),
				status: row.status,
				mode: row.mode,
				data: row.data && FINISHED.has(row.status) ? parse(row.data) : undefined,
			}));
		};
		return {
			baseUrl,
			webhookUrls,
			redisPort: redis.port,
			workers: workerLogs,
			readExecutions,
			anyExited,
			logs,
			until: (what, check, timeoutMs) => until(what, check, timeoutMs, logs, CaseFailure),
			stop: stopAllOf,
		};
	} catch (error) {
		await stopAllOf();
		throw error;
	}
}

module.exports = { startQueueTopology, FINISHED, logText };
