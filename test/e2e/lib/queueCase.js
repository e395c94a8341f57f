'use strict';
/**
 * The queue case: quota and campaign ledger hold across n8n queue-mode workers.
 *
 * A real `n8n start` (EXECUTIONS_MODE=queue, Postgres in a fresh database, Bull on a private redis-server) and
 * two `n8n worker --concurrency=2` processes. The workflow queue/segment-webhook.json (Webhook → Code with 150
 * recipients from the body's offset → WhatsApp Send on Lite with the WhatsApp Redis credential, Delivery
 * { campaignId from the body, dailyQuota 300 (on Lite: the workflow's cap), Send From n8n }) is activated, and posted to 4 times at once:
 * 4 jobs for 4 pollers (2 per worker), so both workers run executions at the same time.
 *
 * Wave 1: exactly 300 messages reach the fake Lite container, 300 items are skipped with "daily quota reached",
 * the executions ran on both workers (their own logs, "Worker started execution N") and both sent.
 * Wave 2: the same 4 bodies (same campaign, same recipients) again: nothing new reaches the fake; the 300 sent
 * before are skipped as "already sent in this campaign" (the ledger in Redis), the others by the quota.
 *
 * Needs PostgreSQL at E2E_POSTGRES_HOST:E2E_POSTGRES_PORT (default 127.0.0.1:5432) accepting E2E_POSTGRES_USER
 * (default postgres) without a password, the client tools psql/createdb/dropdb/pg_isready, and redis-server
 * (REDIS_SERVER, default /usr/bin/redis-server). Missing ones fail the case with what to install.
 */
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { randomBytes, randomUUID } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { run, startBackground, stop, freePort, sleep } = require('./processes');
const { requireFakeLiteContainer } = require('./loadLiteFake');
const { waitForWebhook } = require('./webhookReady');
const { missingRedisServer, redisCommand, startRedisServer } = require('./redisServer');

const WORKFLOW_FILE = path.join(__dirname, '..', 'queue', 'segment-webhook.json');
const LITE_API_KEY = 'e2e-lite-api-key-not-a-secret';
const SUIT_ID = 'suit-e2e-queue';
const QUOTA = 300;
const PER_EXECUTION = 150;
const OFFSETS = [0, 1000, 2000, 3000];
const WORKERS = 2;
const WORKER_CONCURRENCY = 2;
const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

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
		if (Date.now() > deadline) throw new CaseFailure(`timed out after ${timeoutMs / 1000} s waiting for ${what}`, logs);
		await sleep(300);
	}
}

const logText = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

/** Execution IDs a worker logged as started ("Worker started execution N (job M)"). */
function startedBy(file) {
	return [...logText(file).matchAll(/Worker started execution (\d+) \(job/g)].map((match) => match[1]);
}

async function queueCase({ n8nBin, host, tmp, n8nEnvironment, logFile, CaseFailure, say }) {
	preflight(CaseFailure);
	const { Client } = require(path.join(host, 'node_modules', 'pg'));
	const { parse } = require(path.join(host, 'node_modules', 'flatted'));
	const database = `n8n_e2e_${randomBytes(6).toString('hex')}`;
	const processes = [];
	let fake;
	let db;
	let created = false;
	const dropOnExit = () => sh('dropdb', [...pgArgs(), '--if-exists', '--force', database]);
	const allLogs = () => ['n8n-queue-main', 'n8n-queue-worker-1', 'n8n-queue-worker-2'].map(logFile).filter((file) => fs.existsSync(file));

	try {
		const createdb = sh('createdb', [...pgArgs(), database]);
		if (!createdb.ok) throw new CaseFailure(`createdb ${database} failed: ${createdb.output}`);
		created = true;
		// Ctrl-C: the runner kills every process and exits without waiting for this case; drop the database then too.
		process.on('exit', dropOnExit);

		// Bull's and the node's Redis: private, on a free port, no disk.
		const redis = await startRedisServer({ cwd: tmp, logFile: logFile('redis-server') }).catch((error) => {
			throw new CaseFailure(error.message, [logFile('redis-server')]);
		});
		processes.push(redis.process);
		const redisPort = redis.port;

		const { startFakeLiteContainer } = requireFakeLiteContainer();
		fake = await startFakeLiteContainer(LITE_API_KEY);
		fake.state.quotaLeft = Number.MAX_SAFE_INTEGER; // the nodes' quota in Redis is the only limit under test

		const keyPrefix = `e2e:${randomUUID()}:`;
		const credentialsFile = path.join(tmp, 'queue-credentials.json');
		fs.writeFileSync(
			credentialsFile,
			JSON.stringify([
				{
					id: 'e2eLiteCred00001',
					name: 'WhatsApp Lite (e2e fake container)',
					type: 'whatsAppLiteApi',
					data: { url: fake.url, apiKey: LITE_API_KEY, suitId: SUIT_ID, webhookSecret: 'e2e-lite-webhook-secret' },
				},
				{
					id: 'e2eRedisCred0001',
					name: 'WhatsApp Redis (e2e private redis-server)',
					type: 'whatsAppRedis',
					data: { host: '127.0.0.1', port: redisPort, password: '', database: 0, tls: false, keyPrefix },
				},
			]),
		);

		const env = n8nEnvironment(tmp, {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: postgres.host,
			DB_POSTGRESDB_PORT: postgres.port,
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: '',
			DB_POSTGRESDB_DATABASE: database,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
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
		await n8n(['import:workflow', `--input=${WORKFLOW_FILE}`], 'queue-import-workflow');
		const workflow = JSON.parse(fs.readFileSync(WORKFLOW_FILE, 'utf8'));
		await n8n(['update:workflow', `--id=${workflow.id}`, '--active=true'], 'queue-activate');
		say(
			`queue: database ${database} migrated, credentials and workflow imported and activated (${((Date.now() - since) / 1000).toFixed(1)} s)`,
		);

		since = Date.now();
		const port = await freePort();
		const baseUrl = `http://127.0.0.1:${port}`;
		// Each process its own task broker port (n8n 2.x always starts one, on 5679 unless told).
		const brokerPort = async () => ({ N8N_RUNNERS_BROKER_PORT: String(await freePort()) });
		const main = startBackground(process.execPath, [n8nBin, 'start'], {
			cwd: tmp,
			env: { ...env, N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', ...(await brokerPort()) },
			logFile: logFile('n8n-queue-main'),
		});
		processes.push(main);
		const workers = [];
		for (let index = 1; index <= WORKERS; index++) {
			const name = `n8n-queue-worker-${index}`;
			const worker = startBackground(process.execPath, [n8nBin, 'worker', `--concurrency=${WORKER_CONCURRENCY}`], {
				cwd: tmp,
				env: { ...env, ...(await brokerPort()) },
				logFile: logFile(name),
			});
			processes.push(worker);
			workers.push({ name, log: logFile(name), process: worker });
		}
		const anyExited = () => {
			for (const [name, child] of [['n8n start', main], ...workers.map((worker) => [worker.name, worker.process])]) {
				const { exitCode, signalCode } = child.child;
				if (exitCode !== null || signalCode !== null) throw new CaseFailure(`${name} exited early (${exitCode ?? signalCode})`, allLogs());
			}
		};
		await until(
			'n8n start (queue mode) and both workers to be ready',
			async () => {
				anyExited();
				if (!logText(logFile('n8n-queue-main')).includes('Editor is now accessible via')) return false;
				if (!workers.every((worker) => logText(worker.log).includes('n8n worker is now ready'))) return false;
				return await fetch(`${baseUrl}/healthz/readiness`).then(
					(response) => response.ok,
					() => false,
				);
			},
			120_000,
			allLogs(),
			CaseFailure,
		);
		await waitForWebhook(`${baseUrl}/webhook/e2e-queue-segment`).catch((error) => {
			throw new CaseFailure(error.message, allLogs());
		});
		say(`queue: n8n start (queue mode) and ${WORKERS} workers ready (${((Date.now() - since) / 1000).toFixed(1)} s)`);

		db = new Client({ host: postgres.host, port: Number(postgres.port), user: postgres.user, database });
		await db.connect();
		const readExecutions = async () => {
			const { rows } = await db.query(
				'SELECT e.id, e.status, e.mode, d.data FROM execution_entity e LEFT JOIN execution_data d ON d."executionId" = e.id WHERE e."workflowId" = $1 ORDER BY e.id',
				[workflow.id],
			);
			return rows.map((row) => ({
				id: String(row.id),
				status: row.status,
				mode: row.mode,
				data: row.data && FINISHED.has(row.status) ? parse(row.data) : undefined,
			}));
		};

		const campaign = `e2e-queue-${randomBytes(4).toString('hex')}`;
		const sendsAtFake = () => fake.requests.filter((request) => request.method === 'POST' && request.path === '/api/send-message');

		/** Posts the 4 bodies at once; waits until `expected` executions of the workflow have finished. */
		const wave = async (number, expected) => {
			const answers = await Promise.all(
				OFFSETS.map((offset) =>
					fetch(`${baseUrl}/webhook/e2e-queue-segment`, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ wave: number, offset, campaign }),
					}).then(async (response) => ({ status: response.status, body: await response.text() })),
				),
			);
			const refused = answers.find((answer) => answer.status !== 200);
			if (refused)
				throw new CaseFailure(`wave ${number}: the webhook answered ${refused.status}: ${refused.body.slice(0, 300)}`, allLogs());
			const rows = await until(
				`${expected} finished executions (wave ${number}) in n8n's Postgres database`,
				async () => {
					anyExited();
					const found = await readExecutions();
					return found.length >= expected && found.every((row) => FINISHED.has(row.status) && row.data) ? found : undefined;
				},
				60_000,
				allLogs(),
				CaseFailure,
			);
			const mine = rows.filter((row) => row.data.resultData.runData.Webhook?.[0]?.data?.main?.[0]?.[0]?.json?.body?.wave === number);
			const failed = mine.find((row) => row.status !== 'success');
			if (failed) {
				const error = failed.data.resultData?.error;
				const where = error?.node?.name ? ` in node "${error.node.name}"` : '';
				throw new CaseFailure(
					`wave ${number}: execution ${failed.id} ended with status ${failed.status}${where}: ${error?.message ?? '(no error recorded)'}${error?.description ? ` — ${error.description}` : ''}`,
					allLogs(),
				);
			}
			if (mine.length !== OFFSETS.length)
				throw new CaseFailure(`wave ${number}: ${mine.length} executions, expected ${OFFSETS.length}`, allLogs());
			return mine.map((row) => ({
				id: row.id,
				mode: row.mode,
				items: row.data.resultData.runData['WhatsApp Send'][0].data.main[0].map((item) => item.json),
			}));
		};

		// Which worker ran which execution, from the workers' own logs.
		const ranOn = (executions) => {
			const byWorker = workers.map((worker) => ({
				worker: worker.name,
				ids: startedBy(worker.log).filter((id) => executions.some((execution) => execution.id === id)),
			}));
			for (const execution of executions) {
				const on = byWorker.filter((entry) => entry.ids.includes(execution.id));
				assert.equal(
					on.length,
					1,
					`execution ${execution.id} was started by ${on.length} workers (${on.map((entry) => entry.worker).join(', ') || 'none'}), expected exactly 1`,
				);
			}
			return byWorker.map((entry) => ({
				...entry,
				sent: executions
					.filter((execution) => entry.ids.includes(execution.id))
					.reduce((sum, execution) => sum + execution.items.filter((item) => item.status === 'accepted').length, 0),
			}));
		};
		const describe = (byWorker) =>
			byWorker
				.map((entry) => `${entry.worker.replace('n8n-queue-', '')}: executions ${entry.ids.join('+') || 'none'} sent ${entry.sent}`)
				.join('; ');

		try {
			// --- wave 1: 4 × 150 against a quota of 300 ------------------------------------------------------
			since = Date.now();
			const first = await wave(1, OFFSETS.length);
			const firstSeconds = ((Date.now() - since) / 1000).toFixed(1);
			const items = first.flatMap((execution) => execution.items);
			assert.equal(items.length, OFFSETS.length * PER_EXECUTION, 'result items of WhatsApp Send over the 4 executions');
			const sends = sendsAtFake();
			assert.equal(sends.length, QUOTA, `send requests that reached the fake Lite container: ${sends.length}, expected exactly ${QUOTA}`);
			assert.equal(fake.sent.length, QUOTA, 'messages the fake accepted');
			assert.equal(new Set(fake.sent.map((message) => message.number)).size, QUOTA, 'distinct recipients at the fake');
			assert.ok(
				sends.every((request) => !('x-quota-reserved' in request.headers)),
				'no send asked the container to skip its own quota count (x-quota-reserved)',
			);
			const accepted = items.filter((item) => item.status === 'accepted');
			const skipped = items.filter((item) => item.status === 'skipped');
			assert.equal(accepted.length, QUOTA, `items with status accepted: ${accepted.length}`);
			assert.equal(skipped.length, OFFSETS.length * PER_EXECUTION - QUOTA, `items with status skipped: ${skipped.length}`);
			const quotaReason = /^daily quota reached \(300\/300\); resets at (\d{4})-(\d\d)-(\d\d)T00:00:00\.000Z$/;
			const offReason = skipped.find((item) => !quotaReason.test(String(item.reason)));
			assert.ok(!offReason, `a skipped item without "daily quota reached (300/300)": ${JSON.stringify(offReason)}`);
			const sentRecipients = new Set(accepted.map((item) => item.to));
			assert.equal(sentRecipients.size, QUOTA, 'distinct accepted recipients');
			assert.deepEqual(
				[...sentRecipients].sort(),
				fake.sent.map((message) => String(message.number)).sort(),
				'the accepted items are exactly the recipients the fake got',
			);

			// The counter in Redis: the day before the reset time.
			const reset = new Date(String(skipped[0].reason).match(/resets at (\S+)$/)[1]);
			const day = new Date(reset.getTime() - 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
			// On Lite the node's Daily Quota is a cap per workflow (the container keeps the suit's own quota).
			const capKey = `${keyPrefix}wa_automator:cap:lite:${SUIT_ID}:${workflow.id}:${day}`;
			const counter = await redisCommand(redisPort, 'GET', capKey);
			assert.equal(counter, String(QUOTA), `the workflow's daily cap counter in Redis (${capKey})`);

			const byWorker1 = ranOn(first);
			assert.ok(
				byWorker1.every((entry) => entry.ids.length > 0),
				`the 4 executions did not spread over both workers: ${describe(byWorker1)}`,
			);
			assert.ok(
				byWorker1.every((entry) => entry.sent > 0),
				`not every worker sent: ${describe(byWorker1)}`,
			);
			assert.ok(
				first.every((execution) => execution.mode === 'webhook'),
				'execution mode webhook',
			);

			// --- wave 2: the same campaign and recipients again --------------------------------------------------
			since = Date.now();
			const second = await wave(2, 2 * OFFSETS.length);
			const secondSeconds = ((Date.now() - since) / 1000).toFixed(1);
			await sleep(300);
			assert.equal(sendsAtFake().length, QUOTA, `wave 2 reached the fake with ${sendsAtFake().length - QUOTA} new sends, expected none`);
			const again = second.flatMap((execution) => execution.items);
			assert.equal(again.length, OFFSETS.length * PER_EXECUTION, 'result items of wave 2');
			assert.equal(
				again.filter((item) => item.status !== 'skipped').length,
				0,
				`wave 2 items not skipped: ${JSON.stringify(again.find((item) => item.status !== 'skipped'))}`,
			);
			const ledgerSkipped = again.filter((item) => /^already sent in this campaign \(message true_/.test(String(item.reason)));
			assert.equal(ledgerSkipped.length, QUOTA, `wave 2 items skipped as "already sent in this campaign": ${ledgerSkipped.length}`);
			assert.deepEqual(
				ledgerSkipped.map((item) => item.to).sort(),
				[...sentRecipients].sort(),
				'the ledger skipped exactly the recipients sent in wave 1',
			);
			const quotaSkipped = again.filter((item) => quotaReason.test(String(item.reason)));
			assert.equal(quotaSkipped.length, OFFSETS.length * PER_EXECUTION - QUOTA, 'wave 2 items skipped by the quota (not sent in wave 1)');
			const byWorker2 = ranOn(second);

			return (
				`wave 1 (${firstSeconds} s): ${sends.length} sent, ${skipped.length} skipped "daily quota reached", Redis counter ${counter} — ${describe(byWorker1)}; ` +
				`wave 2 (${secondSeconds} s), same campaign: 0 sent, ${ledgerSkipped.length} "already sent in this campaign", ${quotaSkipped.length} quota — ${describe(byWorker2)}`
			);
		} catch (error) {
			if (error instanceof assert.AssertionError) throw new CaseFailure(error.message, allLogs());
			throw error;
		}
	} finally {
		await db?.end().catch(() => undefined);
		// n8n first (it still talks to Redis and Postgres while it shuts down), then the private Redis.
		await Promise.all(processes.slice(1).map((entry) => stop(entry.child, 10_000)));
		if (processes[0]) await stop(processes[0].child, 5_000);
		if (fake) await fake.close().catch(() => undefined);
		if (created) {
			process.off('exit', dropOnExit);
			const dropped = sh('dropdb', [...pgArgs(), '--if-exists', '--force', database]);
			if (!dropped.ok) say(`queue: could not drop database ${database}: ${dropped.output}`);
		}
	}
}

module.exports = { queueCase };
