'use strict';
/**
 * bench/trigger-events: signed Meta webhook events per second through the WhatsApp Trigger's webhook path
 * (n8n-core's WebhookContext and the execution that answers, behind the test harness's loopback server:
 * test/harness/webhook.ts), with in-process and Redis de-duplication, beside a trivial webhook node through the
 * same path (the baseline: bench/lib/echoWebhook.js). The sender runs in its own process
 * (bench/lib/webhookLoad.js). Not a test: it prints figures; target: the node's own CPU per event allows
 * >= 5,000 events/s on one core. See bench/README.md.
 *
 *   npm run build && node bench/trigger-events.js [--events 20000] [--rounds 5] [--in-flight 32] [--no-redis] [--cpu-prof DIR]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { startCpuProfile } = require('./lib/cpuProfile');
const { EchoWebhook } = require('./lib/echoWebhook');
const { requireFromRoot } = require('./lib/loadTypeScript');
const { summariseTriggerProfile } = require('./lib/triggerProfile');

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const EVENTS = option('--events', 20_000);
/** The events of each run are posted in rounds, the runs taking turns (see main). */
const ROUNDS = option('--rounds', 5);
const EVENTS_PER_ROUND = Math.ceil(EVENTS / ROUNDS);
const IN_FLIGHT = option('--in-flight', 32);
const WITH_REDIS = !args.includes('--no-redis');
/** --cpu-prof <dir>: each measured run writes a V8 CPU profile there, and the bench prints where the CPU went. */
const CPU_PROF_DIR = args.includes('--cpu-prof') ? path.resolve(args[args.indexOf('--cpu-prof') + 1]) : undefined;
/** One post in ten repeats an earlier event, as Meta redelivers: the trigger must start no execution for it. */
const DUPLICATE_EVERY = 10;
const TARGET_PER_SECOND = 5000;
const WARM_UP_EVENTS = 1000;

const log = (line) => process.stderr.write(`${line}\n`);
const loadAverage = () =>
	os
		.loadavg()
		.map((load) => load.toFixed(2))
		.join(' ');

function sendLoad(url, count, idPrefix) {
	const { APP_SECRET, PHONE_NUMBER_ID } = requireFromRoot('test/trigger/fixtures');
	const input = JSON.stringify({
		url,
		appSecret: APP_SECRET,
		phoneNumberId: PHONE_NUMBER_ID,
		count,
		inFlight: IN_FLIGHT,
		duplicateEvery: DUPLICATE_EVERY,
		idPrefix,
	});
	return new Promise((resolve, reject) => {
		execFile(process.execPath, [path.join(__dirname, 'lib', 'webhookLoad.js'), input], { maxBuffer: 1 << 20 }, (error, stdout) =>
			error ? reject(error) : resolve(JSON.parse(stdout)),
		);
	});
}

/** With --cpu-prof: a CPU profile from now to stop(), written to CPU_PROF_DIR/<name>.cpuprofile (stop() gives the file). */
async function profiler(name) {
	if (!CPU_PROF_DIR) return { stop: async () => undefined };
	const profile = await startCpuProfile();
	return {
		stop: async () => {
			fs.mkdirSync(CPU_PROF_DIR, { recursive: true });
			const file = path.join(CPU_PROF_DIR, `${name}.cpuprofile`);
			fs.writeFileSync(file, JSON.stringify(await profile.stop()));
			return file;
		},
	};
}

const RUNS = [
	{ name: 'baseline', label: 'echo webhook (baseline)', dedupe: '-', reports: '-' },
	{ name: 'memory-off', label: 'WhatsApp Trigger', dedupe: 'memory', reports: 'off' },
	{ name: 'memory-on', label: 'WhatsApp Trigger', dedupe: 'memory', reports: 'on' },
	{ name: 'redis-off', label: 'WhatsApp Trigger', dedupe: 'redis', reports: 'off' },
	{ name: 'redis-on', label: 'WhatsApp Trigger', dedupe: 'redis', reports: 'on' },
].filter((run) => WITH_REDIS || run.dedupe !== 'redis');

async function startRun(run, redis) {
	const { redisCredentialFor, startCloudTrigger } = requireFromRoot('test/trigger/fixtures');
	if (run.name === 'baseline') {
		const { startTrigger } = requireFromRoot('test/harness/webhook');
		return await startTrigger({ nodeType: new EchoWebhook(), typeName: 'bench.echoWebhook', parameters: {}, credentials: {} });
	}
	const credentials = run.dedupe === 'redis' ? redisCredentialFor(redis.url) : {};
	return await startCloudTrigger({ events: ['message'], triggerOptions: { updateCampaignReports: run.reports === 'on' } }, credentials);
}

/** One round's figures of a run: the sender's report, its CPU per post and, with --cpu-prof, the profile's groups. */
async function measureRound(run, round) {
	const profile = await profiler(`${run.name}-${round}`);
	const cpu = process.cpuUsage();
	const load = await sendLoad(run.trigger.url, EVENTS_PER_ROUND, `run-${run.name}-${round}-`);
	const used = process.cpuUsage(cpu);
	const profileFile = await profile.stop();
	const started = run.trigger.started.length;
	run.trigger.started.length = 0;
	const posts = load.posted + load.redelivered;
	return {
		load,
		posts,
		started,
		cpuMsPerPost: (used.user + used.system) / 1000 / posts,
		profile: profileFile && summariseTriggerProfile(profileFile),
	};
}

const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const sum = (values) => values.reduce((total, value) => total + value, 0);
const addCounts = (counts) =>
	counts.reduce((total, count) => {
		for (const [key, value] of Object.entries(count)) total[key] = (total[key] ?? 0) + value;
		return total;
	}, {});

/**
 * A run's rounds together: counts summed; CPU per post the median of its rounds; the node's CPU per post the median
 * of each round's minus the baseline's in the same round; the profiles' groups per post over all rounds.
 */
function combine(run, rounds, baselineRounds) {
	const loads = rounds.map(({ load }) => load);
	const total = (field) => sum(loads.map((load) => load[field]));
	const posts = sum(rounds.map((round) => round.posts));
	return {
		...run,
		load: {
			posted: total('posted'),
			unique: total('unique'),
			duplicates: total('duplicates'),
			redelivered: total('redelivered'),
			received: total('received'),
			connections: total('connections'),
			ms: total('ms'),
			statuses: addCounts(loads.map((load) => load.statuses)),
			finalStatuses: addCounts(loads.map((load) => load.finalStatuses)),
		},
		posts,
		started: sum(rounds.map((round) => round.started)),
		cpuMsPerPost: median(rounds.map((round) => round.cpuMsPerPost)),
		nodeMsPerPost: median(rounds.map((round, index) => round.cpuMsPerPost - baselineRounds[index].cpuMsPerPost)),
		profile: rounds[0].profile && {
			busyMs: sum(rounds.map((round) => round.profile.busyMs)) / posts,
			groups: new Map(
				[...new Set(rounds.flatMap((round) => [...round.profile.groups.keys()]))].map((group) => [
					group,
					sum(rounds.map((round) => round.profile.groups.get(group) ?? 0)) / posts,
				]),
			),
		},
	};
}

function table(headers, rows) {
	const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => String(row[column]).length)));
	const line = (cells) => `| ${cells.map((cell, column) => String(cell).padStart(widths[column])).join(' | ')} |`;
	return [line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Every distinct event started exactly one execution and was counted once in a 2xx answer; every post ended 2xx. */
function eachOnce({ name, load, started }) {
	if (name === 'baseline') return '-';
	const allAccepted = (load.finalStatuses['200'] ?? 0) === load.posted;
	return started === load.unique && load.received === load.unique && allAccepted ? 'ok' : 'WRONG';
}

function resultsTable(results) {
	const baseline = results.find(({ name }) => name === 'baseline');
	const rows = results.map((result) => {
		const { label, dedupe, reports, load, posts, started, cpuMsPerPost, nodeMsPerPost: nodeMs } = result;
		const isBaseline = result === baseline;
		const nodePerSecond = nodeMs > 0 ? 1000 / nodeMs : Infinity;
		return [
			label,
			dedupe,
			reports,
			load.posted,
			load.duplicates,
			load.statuses['503'] ?? 0,
			posts,
			load.connections,
			started,
			(load.ms / 1000).toFixed(2),
			((load.posted / load.ms) * 1000).toFixed(0),
			cpuMsPerPost.toFixed(3),
			(1000 / cpuMsPerPost).toFixed(0),
			(cpuMsPerPost / baseline.cpuMsPerPost).toFixed(2),
			isBaseline ? '-' : nodeMs.toFixed(3),
			isBaseline ? '-' : nodePerSecond.toFixed(0),
			eachOnce(result),
			isBaseline ? '-' : nodePerSecond >= TARGET_PER_SECOND ? 'ok' : 'MISSED',
		];
	});
	return table(
		[
			'node',
			'de-dup',
			'campaign reports',
			'events posted',
			'repeats',
			'503 busy',
			'posts incl. again',
			'connections',
			'executions',
			'wall s',
			'events/s',
			'CPU ms/post',
			'posts/s per core',
			'x baseline',
			'node ms/post',
			'node posts/s per core',
			'each once',
			`node >= ${TARGET_PER_SECOND}/s`,
		],
		rows,
	);
}

function profileTable(results) {
	const groups = [...new Set(results.flatMap(({ profile }) => [...profile.groups.keys()]))].sort();
	const order = (group) => (group.startsWith('node:') ? 0 : 1);
	groups.sort((a, b) => order(a) - order(b));
	const nodeTotal = (profile) => [...profile.groups].filter(([group]) => group.startsWith('node:')).reduce((sum, [, ms]) => sum + ms, 0);
	return table(
		['where (ms per post, main thread, sampled)', ...results.map(({ name }) => name)],
		[
			...groups.map((group) => [group, ...results.map(({ profile }) => (profile.groups.get(group) ?? 0).toFixed(3))]),
			['node, all steps', ...results.map(({ profile }) => nodeTotal(profile).toFixed(3))],
			['all (busy)', ...results.map(({ profile }) => profile.busyMs.toFixed(3))],
		],
	);
}

async function main() {
	const { startRedis } = requireFromRoot('test/harness/redis');
	const { closeProcessStateStores } = require('../dist/nodes/whatsapp/n8n/store');
	const { stopN8nTimers } = requireFromRoot('test/harness/n8nTimers');
	const loadBefore = loadAverage();
	const benchStart = performance.now();
	const redis = WITH_REDIS ? await startRedis() : undefined;
	const rounds = new Map(RUNS.map((run) => [run, []]));
	try {
		for (const run of RUNS) {
			run.trigger = await startRun(run, redis);
			await sendLoad(run.trigger.url, WARM_UP_EVENTS, `warm-${run.name}-`); // JIT, connections, Redis scripts
			run.trigger.started.length = 0;
		}
		// Round by round, every run in turn: the machine's load (shared, changing) falls on all of them alike.
		for (let round = 0; round < ROUNDS; round++) {
			for (const run of RUNS) {
				log(
					`round ${round + 1}/${ROUNDS}: ${EVENTS_PER_ROUND} signed events, ${run.label}, de-dup ${run.dedupe}, campaign reports ${run.reports} ...`,
				);
				rounds.get(run).push(await measureRound(run, round));
			}
		}
	} finally {
		await Promise.all(RUNS.map(async (run) => await run.trigger?.close()));
		// The trigger's shared Redis connection and n8n-core's per-execution clean-up timer would keep the process up.
		await closeProcessStateStores();
		stopN8nTimers();
		await redis?.stop();
	}
	const baselineRounds = rounds.get(RUNS[0]);
	const results = RUNS.map((run) => combine(run, rounds.get(run), baselineRounds));
	const lines = [
		`bench/trigger-events: signed Meta webhook events (one text message each, HMAC checked) through n8n-core's WebhookContext and the`,
		`execution that answers (responseNode), loopback HTTP, sender in another process with ${IN_FLIGHT} kept-alive connections; one post in`,
		`${DUPLICATE_EVERY} repeats one of the last few events; a post answered 503 is delivered again after the run, as Meta does.`,
		`"posts/s per core" = 1000 / the process's CPU ms per post; "node ms/post" = CPU ms/post minus the baseline's (a trivial`,
		`webhook node through the same path): what the WhatsApp Trigger adds; "node posts/s per core" = 1000 / that. Each of`,
		`${ROUNDS} rounds posts ${EVENTS_PER_ROUND} events to every run in turn (a new sender each); CPU figures are the medians of the rounds,`,
		`"connections" the TCP connections the senders opened.`,
		`Node ${process.version}, ${os.cpus().length} CPUs (shared); load average ${loadBefore} before, ${loadAverage()} after; bench ${((performance.now() - benchStart) / 1000).toFixed(0)} s.`,
		resultsTable(results),
	];
	if (CPU_PROF_DIR)
		lines.push('', `CPU profiles (${CPU_PROF_DIR}), by where the main thread was; the sampler adds overhead:`, profileTable(results));
	process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
	process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
	process.exitCode = 1;
});
