'use strict';
/**
 * bench/segment-send: a segment sent through WhatsApp Send in n8n's engine against the fake Graph API, with the
 * fake's server-side limit equal to the configured rate (so every 130429 is self-inflicted) and 100 ms latency.
 * Not a test: it prints figures and the targets of issue #5 next to them. See bench/README.md.
 *
 *   npm run bench                 # builds, then: memory state (no Redis credential)
 *   npm run bench -- --redis      # also with a WhatsApp Redis credential (REDIS_URL, or a private redis-server)
 *   node bench/segment-send.js [--redis] [--only-redis] [--rate 1000] [--scale 0.2] [--cpu-prof DIR]   # without the build
 */
const http = require('node:http');
const path = require('node:path');
const { spawn, fork } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { requireFromRoot } = require('./lib/loadTypeScript');

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);

const LATENCY_MS = 100;
const WARMUP = 200;
const SCALE = option('--scale', 1);
/** --rate R: only the scenario at that rate (a quick look at one of them). */
const ONLY_RATE = option('--rate', undefined);
const SCENARIOS = [
	{ n: Math.round(2000 * SCALE), rate: 80 },
	{ n: Math.round(10_000 * SCALE), rate: 1000 },
].filter(({ rate }) => ONLY_RATE === undefined || rate === ONLY_RATE);
const STORES = flag('--only-redis') ? ['redis'] : flag('--redis') ? ['memory', 'redis'] : ['memory'];
/** --cpu-prof <dir>: each measured run (send and baseline) writes a V8 CPU profile there (Chrome DevTools, speedscope). */
const CPU_PROF_DIR = args.includes('--cpu-prof') ? path.resolve(args[args.indexOf('--cpu-prof') + 1]) : undefined;
/** --server-limit-factor F: the fake's limit is F x the configured rate (diagnosis: how much headroom stops 130429). */
const LIMIT_FACTOR = option('--server-limit-factor', 1);
/** Issue #13's targets: the rate at the fake, no 130429, CPU per message the node adds (aiming for 0.2 ms). */
const TARGETS = { ratioAtFake: 0.95, throttled: 0, nodeCpuMsPerMessage: 0.3 };
/** --no-builtin: leave out n8n's own WhatsApp node (it is also left out when the provisioned n8n host is missing). */
const WITH_BUILT_IN = !flag('--no-builtin');

const ACCESS_TOKEN = 'EAAG-bench-token';
const PHONE_NUMBER_ID = '106540352242922';

const log = (line) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------------------------
// The fake Graph API, in a child process.

async function startFake() {
	const child = fork(path.join(__dirname, 'lib', 'fakeGraphProcess.js'), [], {
		env: { ...process.env, BENCH_ACCESS_TOKEN: ACCESS_TOKEN, BENCH_PHONE_NUMBER_ID: PHONE_NUMBER_ID },
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const next = (type) =>
		new Promise((resolve, reject) => {
			const onMessage = (message) => {
				if (message.type !== type) return;
				child.off('message', onMessage);
				child.off('exit', onExit);
				resolve(message);
			};
			const onExit = (code) => reject(new Error(`fake Graph API exited with ${code}`));
			child.on('message', onMessage);
			child.once('exit', onExit);
		});
	const { url } = await next('ready');
	return {
		url,
		configure: async (options) => {
			child.send({ type: 'configure', options });
			await next('configured');
		},
		stats: async () => {
			child.send({ type: 'stats' });
			return await next('stats');
		},
		close: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.disconnect()))),
	};
}

/**
 * Is the fake fast enough? Sends `count` valid text messages with `concurrency` in flight, a new connection each
 * (as n8n's request helper does), no latency and no limit; reports requests/second and the fake's CPU per request.
 */
async function probeFake(fake, count = 3000, concurrency = 100) {
	await fake.configure({ messagesPerSecond: null, latencyMs: null });
	const body = JSON.stringify({
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to: '4915100000000',
		type: 'text',
		text: { body: 'probe' },
	});
	const url = new URL(`${fake.url}/v23.0/${PHONE_NUMBER_ID}/messages`);
	const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
	const one = () =>
		new Promise((resolve, reject) => {
			const request = http.request(
				url,
				{
					method: 'POST',
					agent,
					headers: {
						authorization: `Bearer ${ACCESS_TOKEN}`,
						'content-type': 'application/json',
						'content-length': Buffer.byteLength(body),
					},
				},
				(response) => {
					response.resume();
					response.on('end', () => resolve(response.statusCode));
				},
			);
			request.on('error', reject);
			request.end(body);
		});
	let sent = 0;
	const started = Date.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (sent < count) {
				sent++;
				await one();
			}
		}),
	);
	const seconds = (Date.now() - started) / 1000;
	const stats = await fake.stats();
	return { perSecond: count / seconds, cpuMsPerRequest: stats.cpuMs / count, accepted: stats.accepted };
}

// ---------------------------------------------------------------------------------------------------------------
// One measured engine run, in a child process with --expose-gc.

function runEngine(config, onWarmed) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--expose-gc', path.join(__dirname, 'lib', 'engineProcess.js'), JSON.stringify(config)], {
			stdio: ['pipe', 'pipe', 'inherit'],
			env: { ...process.env, N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? 'silent', ...(CPU_PROF_DIR && { BENCH_CPU_PROF: CPU_PROF_DIR }) },
		});
		let buffer = '';
		let result;
		child.stdout.on('data', async (chunk) => {
			buffer += chunk;
			let newline;
			while ((newline = buffer.indexOf('\n')) >= 0) {
				const line = buffer.slice(0, newline);
				buffer = buffer.slice(newline + 1);
				if (line === 'WARMED') {
					try {
						await onWarmed();
						child.stdin.write('go\n');
					} catch (error) {
						child.kill();
						reject(error);
					}
				} else if (line.startsWith('RESULT ')) {
					result = JSON.parse(line.slice('RESULT '.length));
				} else if (line.trim()) {
					log(`  [engine] ${line}`);
				}
			}
		});
		child.on('exit', (code) =>
			code === 0 && result ? resolve(result) : reject(new Error(`engine run ${JSON.stringify(config)} exited with ${code}`)),
		);
	});
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** n8n-nodes-base of the n8n host the e2e tests provision (scripts/provision-n8n.sh); the built-in node's rows need it. */
const BUILT_IN_PACKAGE = path.join(
	process.env.N8N_HOST_CACHE ??
		path.join(process.env.XDG_CACHE_HOME ?? path.join(require('node:os').homedir(), '.cache'), 'n8n-nodes-whatsapp-automator'),
	'n8n-1.123.21',
	'node_modules',
	'n8n-nodes-base',
);
const NODES = { send: 'WhatsApp Send', builtin: 'n8n WhatsApp' };

/** mode 'send': this package's WhatsApp Send; 'builtin': n8n's own WhatsApp Business Cloud node, same fake and limit. */
async function measureSend(fake, scenario, mode, store, redis) {
	const config = {
		mode,
		n: scenario.n,
		rate: scenario.rate,
		warmup: WARMUP,
		graphUrl: fake.url,
		accessToken: ACCESS_TOKEN,
		phoneNumberId: PHONE_NUMBER_ID,
		builtInPackage: BUILT_IN_PACKAGE,
	};
	if (store === 'redis') Object.assign(config, { redisUrl: redis.url, keyPrefix: `bench:${randomUUID()}:` });
	// The warm-up runs with the fake's limit lifted; then its counters are cleared and the limit set to the rate.
	await fake.configure({ messagesPerSecond: null, latencyMs: LATENCY_MS });
	const run = await runEngine(config, async () => {
		await sleep(1100); // the warm-up's sends leave the fake's one-second window (and the sender's pace slots pass)
		await fake.configure({ messagesPerSecond: Math.floor(scenario.rate * LIMIT_FACTOR), latencyMs: LATENCY_MS });
	});
	return { run, fake: await fake.stats() };
}

async function measureBaseline(scenario) {
	return await runEngine(
		{ mode: 'baseline', n: scenario.n, rate: scenario.rate, warmup: WARMUP, graphUrl: 'http://127.0.0.1:9' },
		async () => undefined,
	);
}

// ---------------------------------------------------------------------------------------------------------------
// Output.

const MB = 1024 * 1024;
const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const check = (ok) => (ok ? 'ok' : 'MISSED');

function table(headers, rows) {
	const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => String(row[column]).length)));
	const line = (cells) => `| ${cells.map((cell, column) => String(cell).padStart(widths[column])).join(' | ')} |`;
	return [line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function cpuMs(run) {
	return run.cpuUserMs + run.cpuSystemMs;
}

async function main() {
	const started = Date.now();
	const fake = await startFake();
	let redis;
	try {
		if (STORES.includes('redis')) {
			redis = await requireFromRoot('test/harness/redis').startRedis();
			log(`Redis: ${redis.url}${process.env.REDIS_URL ? ' (REDIS_URL)' : ' (private redis-server)'}`);
		}
		const withBuiltIn = WITH_BUILT_IN && require('node:fs').existsSync(BUILT_IN_PACKAGE);
		if (WITH_BUILT_IN && !withBuiltIn) log(`n8n's WhatsApp node left out: no ${BUILT_IN_PACKAGE} (npm run test:n8n provisions it)`);
		log('probing the fake Graph API ...');
		const probe = await probeFake(fake);

		const results = [];
		for (const scenario of SCENARIOS) {
			log(`baseline: trivial node over ${scenario.n} items ...`);
			const baseline = await measureBaseline(scenario);
			const runs = [...STORES.map((store) => ['send', store]), ...(withBuiltIn ? [['builtin', '-']] : [])];
			for (const [mode, store] of runs) {
				log(
					`${NODES[mode]}: ${scenario.n} recipients at ${scenario.rate}/s, ${store} state (ideal ${fixed(scenario.n / scenario.rate, 1)} s) ...`,
				);
				const { run, fake: fakeStats } = await measureSend(fake, scenario, mode, store, redis);
				results.push({ scenario, node: NODES[mode], store, baseline, run, fakeStats });
			}
		}

		const out = [];
		out.push(
			`bench/segment-send: WhatsApp Send (Cloud API, sendText with expressions)${withBuiltIn ? " and n8n's WhatsApp Business Cloud node" : ''} in n8n-core's WorkflowExecute; fake Graph API in a separate process,`,
		);
		out.push(
			`server-side limit = ${LIMIT_FACTOR === 1 ? 'configured rate' : `${LIMIT_FACTOR} x configured rate (--server-limit-factor)`} (sliding 1 s window), ${LATENCY_MS} ms added latency, Concurrent Requests 0 (auto), default retry policy.`,
		);
		out.push(
			`Node ${process.version}, ${require('node:os').cpus().length} CPUs (shared: absolute figures are noisy; compare within a run).`,
		);
		out.push('');
		out.push(
			`Throughput (targets: ratio@fake >= ${TARGETS.ratioAtFake} of the configured rate, zero 130429, every recipient accepted exactly once)`,
		);
		out.push(
			table(
				[
					'N',
					'rate/s',
					'node',
					'state',
					'ideal s',
					'wall s',
					'msg/s',
					'ratio',
					'at fake msg/s',
					'ratio@fake',
					'130429',
					'accepted',
					'twice',
					'retried',
					'check',
				],
				results.map(({ scenario, node, store, run, fakeStats }) => {
					const ideal = scenario.n / scenario.rate;
					const wall = run.wallMs / 1000;
					const ratio = ideal / wall;
					const fakeRate = (fakeStats.sends - 1) / ((fakeStats.lastArrival - fakeStats.firstArrival) / 1000);
					const ok =
						fakeRate / scenario.rate >= TARGETS.ratioAtFake &&
						fakeStats.throttled === TARGETS.throttled &&
						fakeStats.distinctAccepted === scenario.n &&
						fakeStats.accepted === scenario.n;
					return [
						scenario.n,
						scenario.rate,
						node,
						store,
						fixed(ideal, 2),
						fixed(wall, 2),
						fixed(scenario.n / wall, 1),
						fixed(ratio, 3),
						fixed(fakeRate, 1),
						fixed(fakeRate / scenario.rate, 3),
						fakeStats.throttled,
						`${fakeStats.distinctAccepted}/${scenario.n}`,
						fakeStats.accepted - fakeStats.distinctAccepted,
						run.retried,
						check(ok),
					];
				}),
			),
		);
		out.push('');
		out.push(
			'Timing inside the run: "planning" = from the run\'s start to the first send at the fake (every item read and checked first),',
		);
		out.push(
			'"busiest 1 s" = most sends within any one second, as they left the engine ("sent") and as they arrived at the fake (its window;',
		);
		out.push(
			'the limit is the rate, so only the second can provoke 130429; more there than sent = the fake\'s or the machine\'s stalls), "130429 at" = when the',
		);
		out.push('throughput errors came, in seconds after the first send; "connections" = TCP connections the engine opened to the fake.');
		out.push(
			table(
				[
					'N',
					'rate/s',
					'node',
					'state',
					'planning s',
					'planning ms/item',
					'sending s',
					'busiest 1 s sent',
					'busiest 1 s at fake',
					'130429 at s',
					'connections',
				],
				results.map(({ scenario, node, store, run, fakeStats }) => {
					const planningMs = fakeStats.firstArrival - run.startedAt;
					const after = (at) => fixed((at - fakeStats.firstArrival) / 1000, 1);
					const throttledAt = fakeStats.throttledAt.length
						? `${after(fakeStats.throttledAt[0])}..${after(fakeStats.throttledAt.at(-1))}`
						: '-';
					return [
						scenario.n,
						scenario.rate,
						node,
						store,
						fixed(planningMs / 1000, 2),
						fixed(planningMs / scenario.n, 3),
						fixed((fakeStats.lastArrival - fakeStats.firstArrival) / 1000, 2),
						run.busiestDispatchSecond,
						fakeStats.busiestSecond,
						throttledAt,
						fakeStats.connections,
					];
				}),
			),
		);
		out.push('');
		out.push(
			`CPU of the engine process (target: node ms/msg <= ${TARGETS.nodeCpuMsPerMessage}, aiming for 0.2; user+system, the fake's CPU excluded)`,
		);
		out.push(
			table(
				[
					'N',
					'rate/s',
					'node',
					'state',
					'send ms (user+sys)',
					'of which main thread',
					'baseline ms',
					'send ms/msg',
					'baseline ms/msg',
					'node ms/msg',
					'check',
				],
				results.map(({ scenario, node, store, run, baseline }) => {
					const total = cpuMs(run) / scenario.n;
					const base = cpuMs(baseline) / scenario.n;
					return [
						scenario.n,
						scenario.rate,
						node,
						store,
						`${fixed(cpuMs(run), 0)} (${fixed(run.cpuUserMs, 0)}+${fixed(run.cpuSystemMs, 0)})`,
						run.mainThreadMs === undefined ? '-' : fixed(run.mainThreadMs, 0),
						fixed(cpuMs(baseline), 0),
						fixed(total, 3),
						fixed(base, 3),
						fixed(total - base, 3),
						check(total - base <= TARGETS.nodeCpuMsPerMessage),
					];
				}),
			),
		);
		out.push('');
		out.push(
			'Memory of the engine process. "items": heap (after GC) taken by the N input items. Peaks are sampled (heap every 20 ms, RSS every 200 ms) and include garbage not yet collected.',
		);
		out.push(
			'Per recipient, heap growth from "items": "retained" = after the run and a GC, output items still referenced; "outlives" = once the output is dropped too (ledger etc.).',
		);
		out.push(
			table(
				[
					'N',
					'node',
					'state',
					'run',
					'peak RSS MB',
					'peak heap MB',
					'items MB',
					'peak growth B/rcpt',
					'retained B/rcpt',
					'outlives B/rcpt',
				],
				results.flatMap(({ scenario, node, store, run, baseline }) =>
					[
						[baseline, 'baseline'],
						[run, 'send'],
					].map(([r, label]) => [
						scenario.n,
						label === 'baseline' ? '-' : node,
						label === 'baseline' ? '-' : store,
						label,
						fixed(r.maxRss / MB, 0),
						fixed(r.peakHeap / MB, 1),
						fixed((r.heapItems - r.heapStart) / MB, 1),
						fixed((r.peakHeap - r.heapItems) / scenario.n, 0),
						fixed((r.heapRetained - r.heapItems) / scenario.n, 0),
						fixed((r.heapAfter - r.heapStart) / scenario.n, 0),
					]),
				),
			),
		);
		out.push('');
		out.push('The fake Graph API (must not be the bottleneck)');
		out.push(
			`  capacity probe: ${fixed(probe.perSecond, 0)} requests/s with 100 in flight and a new connection each (client in the bench process), ${fixed(probe.cpuMsPerRequest, 3)} ms of fake CPU per request`,
		);
		for (const { scenario, node, store, fakeStats } of results) {
			out.push(
				`  ${scenario.n} at ${scenario.rate}/s, ${node}, ${store}: fake busy ${fixed((100 * fakeStats.cpuMs) / fakeStats.wallMs, 0)}% of one core, event-loop delay p99 ${fixed(fakeStats.loopDelayP99Ms, 1)} ms (max ${fixed(fakeStats.loopDelayMaxMs, 1)} ms)`,
			);
		}
		if (CPU_PROF_DIR) {
			const { summarise } = require('./lib/profileSummary');
			for (const { scenario, node, store } of results.filter((result) => result.node === NODES.send)) {
				const file = path.join(CPU_PROF_DIR, `send-${scenario.n}-${scenario.rate}-${store}.cpuprofile`);
				const summary = summarise(file, scenario.n);
				out.push('');
				out.push(
					`CPU profile of ${node} ${scenario.n} at ${scenario.rate}/s, ${store}: ${fixed(summary.busyMsPerMessage, 3)} ms/msg on the main thread (sampling adds overhead), by self time:`,
				);
				out.push(table(['where', 'ms/msg'], summary.rows));
				const { planning } = summary;
				out.push(
					`Planning an item (WhatsApp Send's planItem, synchronous part): ${fixed(planning.msPerItem, 3)} ms, of which n8n's getNodeParameter (expression evaluation) ${fixed(planning.n8nParametersMsPerItem, 3)} ms and the node's own reading and checking ${fixed(planning.ownMsPerItem, 3)} ms.`,
				);
			}
		}
		out.push('');
		out.push(`bench time ${fixed((Date.now() - started) / 1000, 0)} s`);
		process.stdout.write(`${out.join('\n')}\n`);
		const problems = results
			.filter(({ run }) => run.firstProblem)
			.map(
				({ scenario, node, store, run }) =>
					`${node} ${scenario.n}@${scenario.rate}/${store}: ${JSON.stringify(run.firstProblem).slice(0, 500)}`,
			);
		if (problems.length) log(`first item that was not accepted, per run:\n  ${problems.join('\n  ')}`);
	} finally {
		await fake.close();
		await redis?.stop();
	}
}

main().catch((error) => {
	process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
	process.exit(1);
});
