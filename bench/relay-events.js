'use strict';
/**
 * bench/relay-events: signed Meta deliveries per second into WhatsApp Triggers through the Lite gateway's Cloud
 * webhook relay, beside the same deliveries straight into a trigger receiving directly from Meta, in one run. The
 * gateway is the real one (lite/src/main.ts, its own process, in-memory state, the relay's outbox on disk); the
 * triggers run in n8n-core's real WebhookContext and execution (test/harness/webhook.ts, this process); the sender
 * is bench/lib/webhookLoad.js in its own process. Counted: time from the first post until every trigger started
 * every event. Not a test: it prints figures (bench/README.md, "bench/relay-events").
 *
 *   npm run build && node bench/relay-events.js [--events 2000] [--in-flight 20]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { requireFromRoot } = require('./lib/loadTypeScript');
const { startLiteGateway } = require('../test/e2e/lib/liteGateway');
const { stopAll } = require('../test/e2e/lib/processes');

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const EVENTS = option('--events', 2000);
const IN_FLIGHT = option('--in-flight', 20);
const API_KEY = 'bench-relay-api-key-0123456789abcdef';

const log = (line) => process.stderr.write(`${line}\n`);

function sendLoad(url, appSecret, phoneNumberId, idPrefix) {
	const input = JSON.stringify({ url, appSecret, phoneNumberId, count: EVENTS, inFlight: IN_FLIGHT, duplicateEvery: 0, idPrefix });
	return new Promise((resolve, reject) => {
		execFile(process.execPath, [path.join(__dirname, 'lib', 'webhookLoad.js'), input], { maxBuffer: 1 << 20 }, (error, stdout) =>
			error ? reject(error) : resolve(JSON.parse(stdout)),
		);
	});
}

async function until(check, what, timeoutMs = 600_000) {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

/** Posts EVENTS deliveries to `url`; resolves with the seconds until each trigger started all of them. */
async function measure(url, triggers, appSecret, phoneNumberId, idPrefix) {
	const started = () => triggers.map((trigger) => trigger.started.flat().length);
	const before = started();
	const t0 = performance.now();
	const sent = await sendLoad(url, appSecret, phoneNumberId, idPrefix);
	await until(
		() => started().every((count, index) => count - before[index] >= EVENTS),
		`${triggers.length} triggers to start ${EVENTS} events`,
	);
	const seconds = (performance.now() - t0) / 1000;
	const extra = started().map((count, index) => count - before[index] - EVENTS);
	return { seconds, statuses: sent.finalStatuses, extra };
}

async function main() {
	const { APP_SECRET, VERIFY_TOKEN, PHONE_NUMBER_ID, startCloudTrigger } = requireFromRoot('test/trigger/fixtures');
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-relay-'));
	const gateway = await startLiteGateway({
		stateDir: path.join(work, 'state'),
		logFile: path.join(work, 'gateway.log'),
		settings: {
			API_KEY,
			SANDBOX_ACK_DELAY_MS: '5',
			RELAY_APPS: JSON.stringify({ shop: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN } }),
			RELAY_SUBSCRIBER_BACKLOG_MAX: String(EVENTS * 2),
		},
	});
	const relayCredential = { whatsAppRelayApi: { url: gateway.url, apiKey: API_KEY, app: 'shop' } };
	const direct = await startCloudTrigger({ events: ['message'] });
	const subscribers = [];
	for (let index = 0; index < 3; index++)
		subscribers.push(await startCloudTrigger({ reception: 'relay', events: ['message'] }, relayCredential));
	const rows = [];
	try {
		await subscribers[0].activate();
		const directRun = await measure(direct.url, [direct], APP_SECRET, PHONE_NUMBER_ID, 'DIRECT');
		rows.push(['directly from Meta', 1, directRun]);
		const one = await measure(`${gateway.url}/meta/shop`, [subscribers[0]], APP_SECRET, PHONE_NUMBER_ID, 'RELAYONE');
		rows.push(['through the relay', 1, one]);
		await subscribers[1].activate();
		await subscribers[2].activate();
		const three = await measure(`${gateway.url}/meta/shop`, subscribers, APP_SECRET, PHONE_NUMBER_ID, 'RELAYTHREE');
		rows.push(['through the relay', 3, three]);
	} finally {
		for (const trigger of [direct, ...subscribers]) await trigger.close();
		await stopAll();
	}
	const directRate = EVENTS / rows[0][2].seconds;
	const lines = [
		`bench/relay-events: ${EVENTS} signed Meta deliveries (one message each), ${IN_FLIGHT} in flight; load average ${os
			.loadavg()
			.map((l) => l.toFixed(2))
			.join(' ')}`,
		'| path | workflows | s until all started | events/s | executions/s | ratio to direct | answers | extra executions |',
		'|---|---|---|---|---|---|---|---|',
		...rows.map(([path, workflows, run]) => {
			const rate = EVENTS / run.seconds;
			return `| ${path} | ${workflows} | ${run.seconds.toFixed(2)} | ${rate.toFixed(0)} | ${(rate * workflows).toFixed(0)} | ${(rate / directRate).toFixed(2)} | ${JSON.stringify(run.statuses)} | ${run.extra.join(', ')} |`;
		}),
	];
	process.stdout.write(`${lines.join('\n')}\n`);
	process.exit(0);
}

main().catch((error) => {
	log(error.stack);
	process.exit(1);
});
