'use strict';
/**
 * One measured run, in its own process (started by bench/segment-send.js with --expose-gc), so its CPU time and
 * peak memory are its own: n8n-core's WorkflowExecute running `Input → <node>` over N recipient items, where
 * <node> is either WhatsApp Send (mode "send", against the fake Graph API in another process) or a trivial node
 * that returns one result-shaped item per input item (mode "baseline": what the engine costs by itself).
 *
 * Input: one JSON argument. Output: one JSON line on stdout, prefixed with "RESULT ".
 */
const v8 = require('node:v8');
const { performance } = require('node:perf_hooks');
const path = require('node:path');
const { busiestSecond } = require('./busiestSecond');
const { requireFromRoot } = require('./loadTypeScript');

const config = JSON.parse(process.argv[2]);

/**
 * When each send left this process (the last write of a POST .../messages request), for the most sends dispatched
 * within any one second: compared with the same figure at the fake, it tells this process's bursts from the fake's.
 */
const dispatchedAt = [];
const { ClientRequest } = require('node:http');
const end = ClientRequest.prototype.end;
ClientRequest.prototype.end = function recordDispatch(...args) {
	if (this.method === 'POST' && this.path.endsWith('/messages')) dispatchedAt.push(Date.now());
	return end.apply(this, args);
};

const engine = requireFromRoot('test/harness/engine');

/** n8n-core starts a one-minute SSH clean-up timer per execution context (as test/send/fixtures.ts stops it). */
function stopN8nTimers() {
	const fromCore = (id) => require(require.resolve(id, { paths: [require.resolve('n8n-core')] }));
	const { Container } = fromCore('@n8n/di');
	const { SSHClientsManager } = require('n8n-core/dist/execution-engine/ssh-clients-manager');
	if (Container.has(SSHClientsManager)) Container.get(SSHClientsManager).onShutdown();
}

/** The baseline node: no parameters read, no requests; one output item per input item, shaped like a send result. */
class BenchEcho {
	constructor() {
		this.description = {
			displayName: 'Bench Echo',
			name: 'benchEcho',
			group: ['transform'],
			version: 1,
			description: 'Trivial node for the bench baseline',
			defaults: { name: 'Bench Echo' },
			inputs: ['main'],
			outputs: ['main'],
			properties: [],
		};
	}
	async execute() {
		return [
			this.getInputData().map((item, index) => ({
				json: {
					to: String(item.json.phone).replace(/\D/g, ''),
					type: 'text',
					recipient: String(item.json.phone).replace(/\D/g, ''),
					attempts: 1,
					messageId: `wamid.TEST${String(index + 1).padStart(6, '0')}`,
					waId: String(item.json.phone).replace(/\D/g, ''),
					backend: 'cloud',
					status: 'accepted',
				},
				pairedItem: { item: index },
			})),
		];
	}
}
engine.registerNodeType('bench.echo', new BenchEcho());

/**
 * Mode "builtin": n8n's own `WhatsApp Business Cloud` node (n8n-nodes-base.whatsApp, a declarative node run by
 * n8n-core's RoutingNode) from the n8n host the e2e tests provision, not from this repo's dependencies, with its
 * base URL pointed at the fake. It has no pacing of its own: RoutingNode sends every item at once, and n8n offers
 * no batching option on this node (its loader adds that option only to declarative nodes without a webhook).
 */
function registerBuiltInWhatsApp() {
	const base = path.join(config.builtInPackage, 'dist');
	const { WhatsApp } = require(path.join(base, 'nodes', 'WhatsApp', 'WhatsApp.node.js'));
	const { WhatsAppApi } = require(path.join(base, 'credentials', 'WhatsAppApi.credentials.js'));
	const node = new WhatsApp();
	node.description.requestDefaults = { ...node.description.requestDefaults, baseURL: `${config.graphUrl}/v13.0/` };
	// As n8n's NodeTypes does for declarative nodes (packages/cli node-types.ts): the RoutingNode is their execute().
	const { RoutingNode } = require('n8n-core');
	node.execute = async function execute() {
		return (await new RoutingNode(this, node).runNode()) ?? [];
	};
	engine.registerNodeType('n8n-nodes-base.whatsApp', node);
	engine.registerCredentialType(new WhatsAppApi());
}
if (config.mode === 'builtin') registerBuiltInWhatsApp();

const recipients = (count, offset) =>
	Array.from({ length: count }, (_, index) => ({
		json: { phone: `+49 151 ${String(10_000_000 + offset + index)}`, name: `User ${offset + index}` },
	}));

function workflowFor(mode, items, rate) {
	if (mode === 'baseline') return engine.singleNodeWorkflow({ name: 'Node', type: 'bench.echo', parameters: {} }, items);
	if (mode === 'builtin') {
		return engine.singleNodeWorkflow(
			{
				name: 'Node',
				type: 'n8n-nodes-base.whatsApp',
				typeVersion: 1.1,
				parameters: {
					resource: 'message',
					operation: 'send',
					phoneNumberId: config.phoneNumberId,
					recipientPhoneNumber: '={{ $json.phone.replace(/\\D/g, "") }}',
					messageType: 'text',
					textBody: '=Hi {{ $json.name }}',
				},
				credentials: { whatsAppApi: { id: '4', name: 'WhatsApp' } },
				// Its recipient is sent as entered (WhatsApp Send normalises), so digits are mapped. Failed items (130429)
				// become error items instead of failing the run, so they can be counted.
				onError: 'continueRegularOutput',
			},
			items,
		);
	}
	const credentials = {
		whatsAppCloudApi: { id: '1', name: 'Cloud' },
		...(config.redisUrl && { whatsAppRedis: { id: '3', name: 'Redis' } }),
	};
	return engine.singleNodeWorkflow(
		{
			name: 'Node',
			type: `${engine.PACKAGE}.whatsAppSend`,
			parameters: {
				backend: 'cloud',
				operation: 'sendText',
				recipient: '={{ $json.phone }}',
				text: '=Hi {{ $json.name }}',
				delivery: { messagesPerSecond: rate, concurrency: 0 },
			},
			credentials,
		},
		items,
	);
}

function credentials() {
	const result = {
		whatsAppApi: { accessToken: config.accessToken, businessAccountId: '102290129340398' },
		whatsAppCloudApi: {
			accessToken: config.accessToken,
			phoneNumberId: config.phoneNumberId,
			businessAccountId: '102290129340398',
			apiVersion: 'v23.0',
			appSecret: 'app-secret',
			verifyToken: 'verify-token',
			baseUrl: config.graphUrl,
		},
	};
	if (config.redisUrl) {
		const { hostname, port } = new URL(config.redisUrl);
		result.whatsAppRedis = { host: hostname, port: Number(port), password: '', database: 0, tls: false, keyPrefix: config.keyPrefix };
	}
	return result;
}

function heapUsed() {
	global.gc();
	global.gc();
	return v8.getHeapStatistics().used_heap_size;
}

/**
 * Samples the heap every 20 ms and RSS every 200 ms while the workflow runs (inside the CPU figure: reading RSS
 * reads /proc, ~10 ms of CPU per second at 50 Hz, which a slow run would divide by few messages).
 */
function sampler() {
	let peakHeap = 0;
	let peakRss = 0;
	let samples = 0;
	const sample = () => {
		peakHeap = Math.max(peakHeap, v8.getHeapStatistics().used_heap_size);
		if (samples++ % 10 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
	};
	const timer = setInterval(sample, 20);
	sample();
	return () => {
		samples = 0;
		sample();
		clearInterval(timer);
		return { peakHeap, peakRss };
	};
}

function summarise(items) {
	const statuses = {};
	let retried = 0;
	for (const { json } of items) {
		// WhatsApp Send says so in `status`; the built-in node returns Meta's answer, or `error` (continue on fail).
		const status = json.status ?? (json.error ? 'error' : json.messages ? 'accepted' : 'other');
		statuses[status] = (statuses[status] ?? 0) + 1;
		if (Number(json.attempts) > 1) retried++;
	}
	const firstProblem = items.find(({ json }) => json.status !== 'accepted' && !json.messages)?.json;
	return { statuses, retried, firstProblem };
}

/** With BENCH_CPU_PROF=<dir>: a V8 CPU profile of the measured run only (not the module loading or warm-up). */
async function startProfiler() {
	const dir = process.env.BENCH_CPU_PROF;
	if (!dir) return undefined;
	const profiler = await require('./cpuProfile').startCpuProfile();
	return {
		stop: async () => {
			const profile = await profiler.stop();
			const file = require('node:path').join(
				dir,
				`${config.mode}-${config.n}-${config.rate}-${config.redisUrl ? 'redis' : 'memory'}.cpuprofile`,
			);
			require('node:fs').mkdirSync(dir, { recursive: true });
			require('node:fs').writeFileSync(file, JSON.stringify(profile));
			process.stderr.write(`  CPU profile of the measured run: ${file}\n`);
		},
	};
}

/**
 * CPU ms (user + system) of the main thread, from Linux's /proc (undefined elsewhere): the rest of the process's CPU
 * is V8's helper threads (parallel and concurrent GC, compilation) and libuv's pool.
 */
function mainThreadCpuMs() {
	try {
		const stat = require('node:fs').readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const msPerTick = 10; // USER_HZ = 100
		return (Number(fields[11]) + Number(fields[12])) * msPerTick;
	} catch {
		return undefined;
	}
}

async function tell(message) {
	// The orchestrator acts on these lines (e.g. resets the fake's counters after the warm-up) and answers on stdin.
	process.stdout.write(`${message}\n`);
	await new Promise((resolve) => process.stdin.once('data', resolve));
}

async function main() {
	const creds = credentials();
	// Warm-up: JIT, lazy module loads, first connections; not measured. The orchestrator lifts the fake's limit meanwhile.
	const warm = await engine.runWorkflow(workflowFor(config.mode, recipients(config.warmup, 90_000_000), 1000), creds);
	if (warm.error) throw warm.error;
	await tell('WARMED');

	const heapStart = heapUsed();
	let items = recipients(config.n, 0);
	let workflow = workflowFor(config.mode, items, config.rate);
	items = undefined; // the workflow holds them (as n8n holds a node's parameters), nothing else
	const heapItems = heapUsed();

	dispatchedAt.length = 0;
	const profiler = await startProfiler();
	const stop = sampler();
	const mainThread0 = mainThreadCpuMs();
	const cpu0 = process.cpuUsage();
	const startedAt = Date.now(); // the fake's arrival times are on the same clock: planning = first arrival - this
	const t0 = performance.now();
	let result = await engine.runWorkflow(workflow, creds);
	const wallMs = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	const mainThreadMs = mainThread0 === undefined ? undefined : mainThreadCpuMs() - mainThread0;
	const { peakHeap, peakRss } = stop();
	await profiler?.stop();
	if (result.error) throw result.error;

	const output = result.output('Node');
	const summary = summarise(output);
	const heapRetained = heapUsed(); // input items, output items and run data still referenced; garbage collected
	result = undefined;
	workflow = undefined;
	const outputCount = output.length;
	output.length = 0;
	const heapAfter = heapUsed(); // what outlives the execution (e.g. the in-process campaign ledger)

	stopN8nTimers();
	const report = {
		mode: config.mode,
		n: config.n,
		rate: config.rate,
		store: config.redisUrl ? 'redis' : 'memory',
		startedAt,
		busiestDispatchSecond: busiestSecond(dispatchedAt),
		wallMs,
		cpuUserMs: cpu.user / 1000,
		cpuSystemMs: cpu.system / 1000,
		mainThreadMs,
		heapStart,
		heapItems,
		peakHeap,
		peakRss,
		maxRss: process.resourceUsage().maxRSS * 1024,
		heapRetained,
		heapAfter,
		outputCount,
		...summary,
	};
	process.stdout.write(`RESULT ${JSON.stringify(report)}\n`);
}

main().then(
	() => process.exit(0),
	(error) => {
		process.stderr.write(`engine run failed: ${error?.stack ?? error}\n${error?.description ?? ''}\n`);
		process.exit(1);
	},
);
