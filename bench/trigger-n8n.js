#!/usr/bin/env node
'use strict';
/**
 * bench/trigger-n8n: the WhatsApp Trigger against n8n's own Webhook node in one real `n8n start` (SQLite, regular
 * mode), interleaved: each concurrency's events go in rounds, the sides taking turns (the order alternating), so a
 * busy moment of the shared machine costs both sides alike; a side's round lasts until its executions finished.
 * Prints events/s (executed), answers/s, p50/p95 of the answers, the ratio to
 * the Webhook node, acked vs executed vs duplicates (read from n8n's database), and n8n's own execution times.
 * Not a test: it prints figures (bench/README.md, "The trigger in a real n8n").
 *
 *   npm run bench:trigger:n8n -- [--n8n 2] [--events 500] [--rounds 5] [--concurrency 1,20] [--cpu-prof DIR] [--n8n-env KEY=VALUE]...
 *
 * --cpu-prof DIR: n8n's main process writes a V8 CPU profile there (on exit), and the bench prints where its main
 * thread's time went per event in each side's rounds (the samples are cut to the rounds by the monotonic clock,
 * which the bench and n8n share).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const {
	ROOT,
	n8nChoice,
	rerunUnderNode,
	provisionN8n,
	installPackage,
	n8nEnvironment,
	waitForN8n,
	activateArgs,
} = require('../test/e2e/lib/n8nHost');
const { run, startBackground, stop, stopAll, killAllSync, freePort, sleep } = require('../test/e2e/lib/processes');
const { readExecutions } = require('../test/e2e/lib/triggerCase');
const { waitForWebhook } = require('../test/e2e/lib/webhookReady');
const {
	signedMetaDeliveries,
	post,
	sendAll,
	settledExecutions,
	startItems,
	countBy,
	exactlyOnce,
	percentile,
} = require('../test/e2e/lib/deliveries');
const { summariseWindows } = require('./lib/n8nProfile');

const USAGE =
	'node bench/trigger-n8n.js [--n8n 2] [--events 500] [--rounds 5] [--concurrency 1,20] [--cpu-prof DIR] [--n8n-env KEY=VALUE]...';
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const { major: N8N_MAJOR, host: HOST } = n8nChoice(args, USAGE);
const EVENTS = Number(option('--events', 500));
const ROUNDS = Number(option('--rounds', 5));
const CONCURRENCIES = String(option('--concurrency', '1,20')).split(',').map(Number);
const CPU_PROF_DIR = args.includes('--cpu-prof') ? path.resolve(option('--cpu-prof')) : undefined;
/** --n8n-env KEY=VALUE (repeatable): n8n settings for the run, e.g. N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true. */
const N8N_ENV = Object.fromEntries(
	args.flatMap((arg, index) => (arg === '--n8n-env' ? [args[index + 1].split(/=(.*)/s).slice(0, 2)] : [])),
);
const WARM_UP = 50;

const WORKFLOWS = path.join(ROOT, 'test', 'e2e', 'workflows');
const CREDENTIAL = {
	id: 'e2eCloudCred0001',
	name: 'WhatsApp Cloud API (e2e fake Graph API)',
	type: 'whatsAppCloudApi',
	data: {
		accessToken: 'EAAbenchAccessToken0123456789',
		phoneNumberId: '106540352242922',
		businessAccountId: '102290129340398',
		apiVersion: 'v23.0',
		appSecret: 'bench-app-secret',
		verifyToken: 'bench-verify-token',
		baseUrl: 'http://127.0.0.1:9',
	},
};

/**
 * The sides, each → No Op: the trigger (signed Meta deliveries), n8n's Webhook node 2 (a small JSON body; the
 * baseline), and n8n's Webhook node 1, which n8n 2.41 handles like any other start node (an expression isolate for
 * the webhook phase, which it skips for the Webhook node 2 alone: docs/n8n-webhooks.md), i.e. the best a community
 * node can do on that path.
 */
const SIDES = [
	{ name: 'trigger', label: 'WhatsApp Trigger', file: path.join(WORKFLOWS, 'trigger-load.json') },
	{ name: 'webhook', label: 'n8n Webhook node 2', file: path.join(WORKFLOWS, 'webhook-load-baseline.json') },
	{ name: 'webhookV1', label: 'n8n Webhook node 1', file: path.join(__dirname, 'workflows', 'webhook-v1-load.json') },
];

const log = (line) => process.stderr.write(`${line}\n`);
const loadAverage = () =>
	os
		.loadavg()
		.map((load) => load.toFixed(2))
		.join(' ');

const urlOf = (side, baseUrl) =>
	side.name === 'trigger'
		? `${baseUrl}/webhook/${side.workflow.nodes[0].webhookId}/webhook`
		: `${baseUrl}/webhook/${side.workflow.nodes[0].parameters.path}`;

/** What one side sends: its requests (numbered from `from`), each with the key its execution carries. */
function sideRequests(side, baseUrl, count, from) {
	const url = urlOf(side, baseUrl);
	if (side.name === 'trigger') {
		return signedMetaDeliveries({ count, credential: CREDENTIAL.data, prefix: 'BENCH', from }).map((delivery) => ({
			key: delivery.messageId,
			send: () => post(url, delivery.raw, delivery.headers),
		}));
	}
	return Array.from({ length: count }, (_unused, offset) => {
		const key = `request-${from + offset}`;
		return { key, send: () => post(url, JSON.stringify({ key })) };
	});
}

/** The key each of an execution's start items carries (the trigger's message ID, the Webhook node's body key). */
function keysOf(side, row) {
	return startItems(row, side.workflow.nodes[0].name).map((item) => (side.name === 'trigger' ? item.json.messageId : item.json.body?.key));
}

/** n8n's own record of each execution: ms from created to started and from started to stopped (SQLite). */
function executionTimes(host, databaseFile, workflowId) {
	const sqlite3 = require(path.join(host, 'node_modules', 'sqlite3'));
	return new Promise((resolve, reject) => {
		const db = new sqlite3.Database(databaseFile, sqlite3.OPEN_READONLY, (openError) => {
			if (openError) return reject(openError);
			db.configure('busyTimeout', 10_000);
			db.all(
				`SELECT (julianday(startedAt) - julianday(createdAt)) * 86400000 AS waited,
				        (julianday(stoppedAt) - julianday(startedAt)) * 86400000 AS ran
				 FROM execution_entity WHERE workflowId = ? AND stoppedAt IS NOT NULL`,
				[workflowId],
				(error, rows) => db.close(() => (error ? reject(error) : resolve(rows))),
			);
		});
	});
}

function table(headers, rows) {
	const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => String(row[column]).length)));
	const line = (cells) => `| ${cells.map((cell, column) => String(cell).padStart(widths[column])).join(' | ')} |`;
	return [line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/**
 * Sends `events` requests of each side in ROUNDS rounds, the sides taking turns; returns each side's figures. A
 * side's time runs until its executions have finished (`finished(side)` resolves then), not only until its last
 * answer: a node that answers before its execution ran (n8n 1.x's onReceived) would otherwise leave that work to
 * the next side's round.
 */
async function measure(sides, baseUrl, concurrency, numbering, events, finished) {
	const figures = new Map(
		sides.map((side) => [
			side.name,
			{ ms: 0, answeredMs: 0, latencies: [], acked: 0, notAcked: 0, ackedNothing: 0, keys: [], windows: [] },
		]),
	);
	const perRound = Math.ceil(events / ROUNDS);
	for (let round = 0; round < ROUNDS; round++) {
		const order = round % 2 === 0 ? sides : [...sides].reverse();
		for (const side of order) {
			const requests = sideRequests(side, baseUrl, perRound, numbering.next(side.name, perRound));
			const figure = figures.get(side.name);
			const since = performance.now();
			const windowStart = process.hrtime.bigint() / 1000n;
			const outcome = await sendAll(requests, (request) => request.send(), { concurrency, resend: true });
			figure.answeredMs += performance.now() - since;
			// The trigger answers {"received":0} to a delivery it takes for a duplicate: acked, but nothing started.
			const started = outcome.accepted.filter((job) => side.name !== 'trigger' || job.answer.body === '{"received":1}');
			side.started += started.length;
			await finished(side);
			figure.windows.push([windowStart, process.hrtime.bigint() / 1000n]);
			figure.ms += performance.now() - since;
			figure.latencies.push(...outcome.latencies);
			figure.acked += outcome.accepted.length;
			figure.notAcked += outcome.sent - outcome.accepted.length;
			figure.keys.push(...outcome.accepted.map((job) => job.request.key));
			figure.ackedNothing += outcome.accepted.length - started.length;
		}
	}
	return figures;
}

async function main() {
	const since = Date.now();
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-trigger-n8n-'));
	const logFile = (name) => path.join(tmp, `${name}.log`);
	process.on('exit', killAllSync);
	process.once('SIGINT', () => stopAll().finally(() => process.exit(130)));
	try {
		const provision = await provisionN8n({ version: HOST.n8n, logFile: logFile('provision') });
		if (provision.failed) throw new Error(`scripts/provision-n8n.sh failed (${provision.failed.logFile})`);
		const { host, n8nBin, version } = provision;
		const userFolder = path.join(tmp, 'user');
		const installed = await installPackage({ userFolder, packDir: tmp, logFile: logFile('npm-install') });
		if (installed.failed) throw new Error(`${installed.what} failed (${installed.failed.logFile})`);

		const env = n8nEnvironment({
			userFolder,
			encryptionKey: 'bench-fixed-encryption-key-not-a-secret',
			runnerBrokerPort: await freePort(),
		});
		const n8n = async (commandArgs, name) => {
			const result = await run(process.execPath, [n8nBin, ...commandArgs], { cwd: tmp, env, logFile: logFile(name), timeoutMs: 240_000 });
			if (result.code !== 0) throw new Error(`n8n ${commandArgs.join(' ')} failed (${result.logFile})`);
		};
		const credentialsFile = path.join(tmp, 'credentials.json');
		fs.writeFileSync(credentialsFile, JSON.stringify([CREDENTIAL]));
		const workflowsDir = path.join(tmp, 'workflows');
		fs.mkdirSync(workflowsDir);
		const sides = SIDES.map((side) => {
			fs.copyFileSync(side.file, path.join(workflowsDir, path.basename(side.file)));
			return { ...side, workflow: JSON.parse(fs.readFileSync(side.file, 'utf8')) };
		});
		await n8n(['import:credentials', `--input=${credentialsFile}`], 'import-credentials');
		await n8n(['import:workflow', '--separate', `--input=${workflowsDir}`], 'import-workflows');
		for (const side of sides) await n8n(activateArgs(N8N_MAJOR, side.workflow.id), `activate-${side.name}`);

		const port = await freePort();
		const baseUrl = `http://127.0.0.1:${port}`;
		const startEnv = {
			...env,
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			...N8N_ENV,
		};
		const profileArgs = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : [];
		const server = startBackground(process.execPath, [...profileArgs, n8nBin, 'start'], {
			cwd: tmp,
			env: startEnv,
			logFile: logFile('start'),
		});
		await waitForN8n({
			server,
			baseUrl,
			userFolder,
			startLog: logFile('start'),
			fail: (message) => new Error(`${message} (${logFile('start')})`),
		});
		for (const side of sides) await waitForWebhook(urlOf(side, baseUrl));
		log(
			`bench: n8n ${version} ready on Node ${process.version} (${((Date.now() - since) / 1000).toFixed(1)} s); load average ${loadAverage()}`,
		);

		const databaseFile = path.join(userFolder, '.n8n', 'database.sqlite');
		/** Until every execution the side's answers started so far has finished (or a minute without one). */
		const finished = async (side) => {
			for (let last = Date.now(), count = -1; Date.now() - last < 60_000; await sleep(50)) {
				const rows = await readExecutions(host, databaseFile, side.workflow.id, { withData: false });
				if (rows.length >= side.started && rows.every((row) => !['new', 'running'].includes(row.status))) return;
				if (rows.length !== count) [last, count] = [Date.now(), rows.length];
			}
			throw new Error(`${side.label}: executions stopped short of the ${side.started} its answers started`);
		};
		for (const side of sides) side.started = 0;
		const next = new Map();
		const numbering = {
			next: (name, count) => {
				const from = next.get(name) ?? 0;
				next.set(name, from + count);
				return from;
			},
		};
		const sent = new Map(sides.map((side) => [side.name, { keys: [], acked: 0, answers: 0, ackedNothing: 0 }]));
		const keep = (figures) => {
			for (const side of sides) {
				const figure = figures.get(side.name);
				const total = sent.get(side.name);
				total.keys.push(...figure.keys);
				total.acked += figure.acked;
				total.answers += figure.acked + figure.notAcked;
				total.ackedNothing += figure.ackedNothing;
			}
		};
		// Warm-up (JIT, first connections, n8n's caches), counted in the exactly-once check but not in the figures.
		keep(await measure(sides, baseUrl, 20, numbering, WARM_UP, finished));
		const loadBefore = loadAverage();
		const results = [];
		for (const concurrency of CONCURRENCIES) {
			log(`bench: ${EVENTS} events per side at ${concurrency} concurrent, ${ROUNDS} rounds`);
			const figures = await measure(sides, baseUrl, concurrency, numbering, EVENTS, finished);
			keep(figures);
			results.push({ concurrency, figures });
		}
		const loadAfter = loadAverage();

		const checks = new Map();
		for (const side of sides) {
			const total = sent.get(side.name);
			const rows = await settledExecutions((options) => readExecutions(host, databaseFile, side.workflow.id, options), total.acked);
			const once = exactlyOnce(
				total.keys,
				rows.flatMap((row) => keysOf(side, row)),
			);
			const times = await executionTimes(host, databaseFile, side.workflow.id);
			checks.set(side.name, { ...total, rows, once, times, statuses: countBy(rows.map((row) => row.status)) });
		}
		await stop(server.child, 30_000);

		printResults({ version, sides, results, checks, loadBefore, loadAfter, since });
		if (CPU_PROF_DIR) printProfile(server.child.pid, sides, results);
	} finally {
		await stopAll();
		if (process.env.BENCH_KEEP_TMP === '1') log(`bench: kept ${tmp}`);
		else fs.rmSync(tmp, { recursive: true, force: true });
	}
}

function printResults({ version, sides, results, checks, loadBefore, loadAfter, since }) {
	const out = (line = '') => process.stdout.write(`${line}\n`);
	out(
		`bench/trigger-n8n: n8n ${version} (regular mode, SQLite), Node ${process.version}, ${os.cpus().length} CPUs, ${EVENTS} events per side and concurrency in ${ROUNDS} interleaved rounds`,
	);
	out(`load average before ${loadBefore}, after ${loadAfter}; bench time ${((Date.now() - since) / 1000).toFixed(0)} s`);
	if (Object.keys(N8N_ENV).length)
		out(
			`n8n settings: ${Object.entries(N8N_ENV)
				.map(([key, value]) => `${key}=${value}`)
				.join(' ')}`,
		);
	out();
	const rows = [];
	for (const { concurrency, figures } of results) {
		const webhook = figures.get('webhook');
		const webhookV1 = figures.get('webhookV1');
		const rateOf = (figure) => (figure.acked / figure.ms) * 1000;
		for (const side of sides) {
			const figure = figures.get(side.name);
			rows.push([
				concurrency,
				side.label,
				figure.acked,
				figure.notAcked,
				rateOf(figure).toFixed(1),
				((figure.acked / figure.answeredMs) * 1000).toFixed(1),
				percentile(figure.latencies, 50).toFixed(1),
				percentile(figure.latencies, 95).toFixed(1),
				side.name === 'webhook' ? '-' : (rateOf(figure) / rateOf(webhook)).toFixed(2),
				side.name === 'trigger' ? (rateOf(figure) / rateOf(webhookV1)).toFixed(2) : '-',
			]);
		}
	}
	out(
		table(
			['concurrent', 'node', 'acked', 'not 2xx', 'events/s', 'answers/s', 'p50 ms', 'p95 ms', 'ratio to Webhook 2', 'ratio to Webhook 1'],
			rows,
		),
	);
	out();
	out("Every answer 2xx against n8n's database (warm-up included): each acked event executed exactly once?");
	const checkRows = sides.map((side) => {
		const check = checks.get(side.name);
		const median = (field) =>
			percentile(
				check.times.map((time) => time[field]),
				50,
			).toFixed(1);
		const ok =
			check.once.missing.length === 0 && check.once.twice.length === 0 && check.rows.length === check.acked && check.ackedNothing === 0;
		return [
			side.label,
			check.answers,
			check.acked,
			side.name === 'trigger' ? check.ackedNothing : '-',
			check.rows.length,
			check.once.executed,
			check.once.twice.length,
			check.once.missing.length,
			check.statuses.map(([status, count]) => `${count} ${status}`).join(', '),
			median('waited'),
			median('ran'),
			ok ? 'ok' : 'WRONG',
		];
	});
	out(
		table(
			[
				'node',
				'answers',
				'acked',
				'acked, nothing started',
				'executions',
				'events executed',
				'duplicates',
				'acked not executed',
				'statuses',
				'n8n created→started ms p50',
				'n8n started→stopped ms p50',
				'check',
			],
			checkRows,
		),
	);
}

function printProfile(pid, sides, results) {
	const file = fs
		.readdirSync(CPU_PROF_DIR)
		.filter((name) => name.includes(`.${pid}.`) && name.endsWith('.cpuprofile'))
		.map((name) => path.join(CPU_PROF_DIR, name))[0];
	if (!file) return log(`bench: no CPU profile of n8n's process ${pid} in ${CPU_PROF_DIR}`);
	for (const { concurrency, figures } of results) {
		process.stdout.write(`\nWhere n8n's main thread spent its time, ms per event, at ${concurrency} concurrent (${file}):\n`);
		const summaries = sides.map((side) => {
			const figure = figures.get(side.name);
			return summariseWindows(file, figure.windows, figure.acked);
		});
		const groups = [...new Set(summaries.flatMap((summary) => summary.rows.map(([group]) => group)))];
		const rows = groups.map((group) => [
			group,
			...summaries.map((summary) => (summary.rows.find(([name]) => name === group)?.[1] ?? 0).toFixed(3)),
		]);
		rows.push(['busy (all of the above)', ...summaries.map((summary) => summary.busy.toFixed(3))]);
		process.stdout.write(`${table(['group', ...sides.map((side) => side.label)], rows)}\n`);
		const top = sides.map(
			(side, index) => `${side.label}: ${summaries[index].top.map(([name, ms]) => `${name} ${ms.toFixed(3)}`).join('; ')}`,
		);
		process.stdout.write(`Top functions (self ms per event):\n  ${top.join('\n  ')}\n`);
	}
}

if (!rerunUnderNode(HOST.node, log))
	main().catch((error) => {
		log(`bench: ${error.stack}`);
		process.exitCode = 1;
	});
