'use strict';
/**
 * The fake Graph API (test/fakes/graphApi.ts, the very one the engine tests use) in its own process, so its CPU is
 * not counted as the engine's. Controlled by the orchestrator over IPC:
 *   {type:'configure', options}  → sets the fake's options (messagesPerSecond, latencyMs) and clears the counters
 *   {type:'stats'}               → answers {type:'stats', ...} for the sends (and connections) since the last configure
 * Prints its URL as the first IPC message: {type:'ready', url}.
 */
const http = require('node:http');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const { requireTypeScriptFake } = require('../../test/e2e/lib/loadTypeScript');
const { busiestSecond } = require('./busiestSecond');

const { startFakeGraphApi } = requireTypeScriptFake('graphApi.ts');
const { BENCH_ACCESS_TOKEN: ACCESS_TOKEN, BENCH_PHONE_NUMBER_ID: PHONE_NUMBER_ID } = process.env;

// Counts the fake's 130429 answers exactly: every answer passes through ServerResponse#end with its JSON body.
let throttled = 0;
let throttledAt = [];
const originalEnd = http.ServerResponse.prototype.end;
http.ServerResponse.prototype.end = function end(chunk, ...rest) {
	if (this.statusCode === 400 && chunk && String(chunk).includes('"code":130429')) {
		throttled++;
		throttledAt.push(Date.now());
	}
	return originalEnd.call(this, chunk, ...rest);
};

async function main() {
	const graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
	const loopDelay = monitorEventLoopDelay({ resolution: 5 });
	let since = { cpu: process.cpuUsage(), at: performance.now(), connections: 0 };

	process.on('message', (message) => {
		if (message.type === 'configure') {
			Object.assign(graph.options, message.options);
			for (const key of Object.keys(graph.options)) if (graph.options[key] === null) delete graph.options[key];
			// Only counters are cleared: the fake's one-second window keeps its recent sends, as Meta would.
			graph.requests.length = 0;
			graph.accepted.length = 0;
			throttled = 0;
			throttledAt = [];
			loopDelay.reset();
			loopDelay.enable();
			since = { cpu: process.cpuUsage(), at: performance.now(), connections: graph.connectionsOpened() };
			process.send({ type: 'configured' });
		} else if (message.type === 'stats') {
			const sends = graph.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/messages'));
			const arrivals = sends.map((request) => request.at).sort((a, b) => a - b);
			const cpu = process.cpuUsage(since.cpu);
			process.send({
				type: 'stats',
				sends: sends.length,
				otherRequests: graph.requests.length - sends.length,
				accepted: graph.accepted.length,
				distinctAccepted: new Set(graph.accepted.map((sent) => sent.to)).size,
				throttled,
				throttledAt,
				busiestSecond: busiestSecond(arrivals),
				connections: graph.connectionsOpened() - since.connections,
				firstArrival: arrivals.reduce((a, b) => Math.min(a, b), Infinity),
				lastArrival: arrivals.reduce((a, b) => Math.max(a, b), -Infinity),
				cpuMs: (cpu.user + cpu.system) / 1000,
				wallMs: performance.now() - since.at,
				loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
				loopDelayMaxMs: loopDelay.max / 1e6,
			});
		}
	});
	process.send({ type: 'ready', url: graph.url });
	process.on('disconnect', () => graph.close().finally(() => process.exit(0)));
}

main().catch((error) => {
	process.stderr.write(`fake Graph API failed: ${error?.stack ?? error}\n`);
	process.exit(1);
});
