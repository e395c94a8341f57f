'use strict';
/**
 * bench/trigger-events: signed Meta webhook events per second through the WhatsApp Trigger's webhook path
 * (n8n-core's WebhookContext, the test harness's loopback server: test/harness/webhook.ts), with in-process and
 * Redis de-duplication. The sender runs in its own process (bench/lib/webhookLoad.js). Not a test: it prints
 * figures; target >= 5,000 events/s in-process. See bench/README.md.
 *
 *   npm run build && node bench/trigger-events.js [--events 20000] [--in-flight 32]
 */
const path = require('node:path');
const { execFile } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { requireFromRoot } = require('./lib/loadTypeScript');

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const EVENTS = option('--events', 20_000);
const IN_FLIGHT = option('--in-flight', 32);
/** One post in ten repeats an earlier event, as Meta redelivers: the trigger must start no execution for it. */
const DUPLICATE_EVERY = 10;
const TARGET_PER_SECOND = 5000;

const log = (line) => process.stderr.write(`${line}\n`);

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

async function measure(dedupe, redis, reports) {
	const { redisCredentialFor, startCloudTrigger } = requireFromRoot('test/trigger/fixtures');
	const credentials = dedupe === 'redis' ? redisCredentialFor(redis.url) : {};
	const trigger = await startCloudTrigger({ events: ['message'], triggerOptions: { updateCampaignReports: reports } }, credentials);
	try {
		await sendLoad(trigger.url, 500, `warm${dedupe}${reports}`); // JIT, connections, Redis scripts
		trigger.started.length = 0;
		const cpu = process.cpuUsage();
		const t0 = performance.now();
		const load = await sendLoad(trigger.url, EVENTS, `run${dedupe}${reports}`);
		const wallMs = performance.now() - t0;
		const used = process.cpuUsage(cpu);
		return { dedupe, reports, load, wallMs, cpuMs: (used.user + used.system) / 1000, started: trigger.started.length };
	} finally {
		await trigger.close();
	}
}

async function main() {
	const { startRedis } = requireFromRoot('test/harness/redis');
	const redis = await startRedis();
	const results = [];
	try {
		for (const dedupe of ['memory', 'redis']) {
			// Campaign reports off is the baseline: each incoming message then costs only its de-duplication.
			for (const reports of [false, true]) {
				log(
					`trigger: ${EVENTS} signed events, ${IN_FLIGHT} in flight, ${dedupe} de-duplication, campaign reports ${reports ? 'on' : 'off'} ...`,
				);
				results.push(await measure(dedupe, redis, reports));
			}
		}
	} finally {
		await redis.stop();
	}
	const rows = results.map(({ dedupe, reports, load, cpuMs, started }) => {
		const perSecond = (load.posted / load.ms) * 1000;
		const exactlyOnce = started === load.unique && load.statuses['200'] === load.posted;
		return [
			dedupe,
			reports ? 'on' : 'off',
			load.posted,
			load.duplicates,
			started,
			(load.ms / 1000).toFixed(2),
			perSecond.toFixed(0),
			(cpuMs / load.posted).toFixed(3),
			((load.posted / cpuMs) * 1000).toFixed(0),
			exactlyOnce ? 'ok' : 'WRONG',
			dedupe === 'memory' ? (perSecond >= TARGET_PER_SECOND ? 'ok' : 'MISSED') : '-',
		];
	});
	const headers = [
		'de-duplication',
		'campaign reports',
		'events posted',
		'repeats',
		'executions started',
		'wall s',
		'events/s',
		'trigger CPU ms/event',
		'events/s per core',
		'each once',
		`>= ${TARGET_PER_SECOND}/s`,
	];
	const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => String(row[column]).length)));
	const line = (cells) => `| ${cells.map((cell, column) => String(cell).padStart(widths[column])).join(' | ')} |`;
	process.stdout.write(
		[
			`bench/trigger-events: signed Meta webhook events (one text message each, HMAC checked) through the WhatsApp Trigger in n8n-core's WebhookContext,`,
			`loopback HTTP, sender in another process with ${IN_FLIGHT} kept-alive connections; one post in ${DUPLICATE_EVERY} repeats an earlier event.`,
			`"events/s per core" = 1000 / the trigger process's CPU ms per event: the rate one free core would sustain.`,
			`Node ${process.version}, ${require('node:os').cpus().length} CPUs (shared).`,
			line(headers),
			`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
			...rows.map(line),
		].join('\n') + '\n',
	);
}

main().catch((error) => {
	process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
	process.exit(1);
});
