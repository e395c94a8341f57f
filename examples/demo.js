#!/usr/bin/env node
'use strict';
/**
 * `npm run demo`: a scheduled segment send, end to end, on the Lite container's sandbox (no phone, no Meta
 * account, no n8n server needed). `npm run demo` builds the package first; this script then
 *
 * 1. builds the Lite gateway (its dependencies come with the root `npm install`: lite/ is an npm workspace);
 * 2. starts the gateway in sandbox mode on a free port (in-memory state, fast sandbox timings) and waits until its
 *    WhatsApp "session" is ready;
 * 3. runs examples/segment-send.lite.json — the workflow users import — through n8n's real execution engine
 *    (n8n-core) with the BUILT nodes from dist/. Only two things differ from running it in n8n: the Schedule
 *    Trigger and Code nodes are tiny stand-ins (examples/lib/standInNodes.js), and the Delivery settings are
 *    set for a demo (campaign "demo-campaign", 0.6 to 1.2 s between messages instead of 3 to 5 minutes);
 * 4. shows each recipient's result, what the sandbox "sent", runs the same campaign again (nobody gets a second
 *    message), and injects an incoming message that the gateway forwards, signed, to a registered webhook;
 * 5. stops the gateway. Exit code 0 when every check passed, 1 with the reason otherwise.
 */
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { run, startBackground, stop, killAllSync, freePort, tail, sleep } = require('../test/e2e/lib/processes');

const ROOT = path.resolve(__dirname, '..');
const LITE = path.join(ROOT, 'lite');
const WORKFLOW_FILE = path.join(__dirname, 'segment-send.lite.json');
const SEND_NODE = 'WhatsApp Send';
const SEGMENT_NODE = 'Segment: spring sale opt-ins';
// The file hands the segment to the container as a campaign; the demo sends from n8n so that each recipient's
// result (message ID) shows right away and a second run shows the ledger at work.
const DEMO_DELIVERY = { campaignId: 'demo-campaign', mode: 'direct', dailyQuota: 300, oncePerRecipient: true };

const started = Date.now();
const secret = () => crypto.randomBytes(18).toString('base64url');
const GATEWAY = { apiKey: secret(), suitId: 'demo-shop', webhookSecret: secret() };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'whatsapp-demo-'));
const gatewayLog = path.join(tmp, 'gateway.log');
let gateway;

const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (title) => say(`\n━━ ${title}`);
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

class DemoFailure extends Error {
	constructor(message, logFile) {
		super(message);
		this.logFile = logFile;
	}
}

/** 1. The gateway's build (every time: about two seconds, never stale); `npm install` at the root installed lite/ too. */
async function prepareGateway() {
	step('Preparing the Lite gateway (lite/)');
	const logFile = path.join(tmp, 'lite-build.log');
	const build = await run('npm', ['run', 'build'], { cwd: LITE, logFile, timeoutMs: 180_000 });
	if (build.code !== 0) throw new DemoFailure('building lite/ failed (npm run build in lite/)', logFile);
	say('  Gateway built.');
}

async function api(base, method, route, body) {
	const response = await fetch(`${base}${route}`, {
		method,
		headers: { appApiKey: GATEWAY.apiKey, ...(body && { 'Content-Type': 'application/json' }) },
		body: body && JSON.stringify(body),
		signal: AbortSignal.timeout(5_000),
	});
	const text = await response.text();
	if (!response.ok) throw new DemoFailure(`the gateway answered ${method} ${route} with ${response.status}: ${text}`, gatewayLog);
	return text ? JSON.parse(text) : undefined;
}

/** 2. The gateway in sandbox mode, as a child process; resolves when /healthz answers and the session is ready. */
async function startGateway() {
	step('Starting the Lite gateway in sandbox mode');
	const port = await freePort();
	const env = {
		...process.env,
		PORT: String(port),
		DRIVER: 'sandbox',
		API_KEY: GATEWAY.apiKey,
		SUIT_ID: GATEWAY.suitId,
		WEBHOOK_SECRET: GATEWAY.webhookSecret,
		SANDBOX_LOGIN_DELAY_MS: '200',
		SANDBOX_ACK_DELAY_MS: '50',
		WEBHOOK_RETRY_BASE_MS: '200',
		// The sandbox's sent log and the webhook outbox are files: a fresh folder, so the demo counts only its own sends.
		STATE_DIR: path.join(tmp, 'lite-state'),
		// The suit's pace, kept by the gateway for every send (the nodes never pace Lite sends): 1 s for the demo.
		MIN_SEND_GAP_MS: '1000',
		// The demo's webhook receiver (standing in for n8n's trigger) is on this machine.
		WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
	};
	delete env.REDIS_URL; // in-memory quota, campaigns and webhooks
	delete env.REDIS_KEY_PREFIX;
	gateway = startBackground(process.execPath, [path.join(LITE, 'dist', 'lite', 'src', 'main.js')], { cwd: LITE, env, logFile: gatewayLog });
	const base = `http://127.0.0.1:${port}`;

	const deadline = Date.now() + 20_000;
	let status;
	while (Date.now() < deadline) {
		if (gateway.child.exitCode !== null)
			throw new DemoFailure(`the gateway exited at start-up (code ${gateway.child.exitCode})`, gatewayLog);
		try {
			const health = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1_000) });
			if (health.ok) {
				status = await api(base, 'GET', '/whatsapp-status');
				if (status.status === 'ready') break;
			}
		} catch (error) {
			if (error instanceof DemoFailure) throw error;
			/* not listening yet */
		}
		await sleep(100);
	}
	if (status?.status !== 'ready')
		throw new DemoFailure(`the gateway did not become ready within 20 s (session: ${status?.status ?? 'no answer'})`, gatewayLog);
	say(`  Gateway ready at ${base} (sandbox driver: nothing reaches real WhatsApp; suit "${GATEWAY.suitId}", state in memory).`);
	return base;
}

/** The importable workflow, prepared for the sandbox: the gateway's credential and demo-speed delivery settings. */
function demoWorkflow() {
	const workflow = JSON.parse(fs.readFileSync(WORKFLOW_FILE, 'utf8'));
	const nodes = workflow.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
	const send = nodes.find((node) => node.name === SEND_NODE);
	assert.ok(
		send && send.parameters.backend === 'lite',
		`${path.basename(WORKFLOW_FILE)} must have a "${SEND_NODE}" node on the Lite backend`,
	);
	send.parameters.delivery = { ...send.parameters.delivery, ...DEMO_DELIVERY };
	return { ...workflow, nodes };
}

function credentialsFor(base) {
	return { whatsAppLiteApi: { url: base, apiKey: GATEWAY.apiKey, suitId: GATEWAY.suitId, webhookSecret: GATEWAY.webhookSecret } };
}

/** 3. One execution of the workflow; returns each recipient (from the segment) with its result. */
async function runCampaign(harness, base, label) {
	const since = Date.now();
	const result = await harness.runWorkflow(demoWorkflow(), credentialsFor(base));
	if (result.error) {
		const error = result.error;
		throw new DemoFailure(
			`the workflow failed in node "${error.node?.name ?? '?'}": ${error.message}${error.description ? ` — ${error.description}` : ''}`,
			gatewayLog,
		);
	}
	const segment = result.output(SEGMENT_NODE);
	const outcomes = result.output(SEND_NODE);
	assert.equal(outcomes.length, segment.length, `${SEND_NODE} should output one item per recipient`);
	say(`  ${label}: ${segment.length} recipients, finished in ${((Date.now() - since) / 1000).toFixed(1)} s`);
	return segment.map((item, index) => ({ name: item.json.name, phone: item.json.phone, ...outcomes[index].json }));
}

function printResults(rows) {
	const width = Math.max(...rows.map((row) => `${row.name} (${row.phone})`.length));
	for (const row of rows) {
		const who = `${row.name} (${row.phone})`.padEnd(width);
		if (row.status === 'skipped') say(`    ⏭  ${who}  skipped: ${row.reason}`);
		else if (row.status === 'failed') say(`    ✗  ${who}  FAILED: ${row.error?.message ?? JSON.stringify(row.error)}`);
		else say(`    ✓  ${who}  sent, message ID ${row.messageId}`);
	}
	// A sent item's status is the backend's answer ("accepted"); the other statuses are "skipped" and "failed".
	const count = (status) =>
		rows.filter((row) => (row.status === 'skipped' || row.status === 'failed' ? row.status : 'sent') === status).length;
	say(`    → ${count('sent')} sent, ${count('skipped')} skipped, ${count('failed')} failed`);
}

function shortTime(iso) {
	return new Date(iso).toISOString().slice(11, 23);
}

/** 4b. The inbound path: a webhook receiver in this process, registered with the gateway, gets a signed event. */
async function showInbound(base, verifyLiteSignature) {
	step('An incoming reply: the gateway forwards it, signed, to a registered webhook (the WhatsApp Trigger in n8n)');
	let receive;
	const received = new Promise((resolve) => (receive = resolve));
	const server = http.createServer((request, response) => {
		const chunks = [];
		request.on('data', (chunk) => chunks.push(chunk));
		request.on('end', () => {
			const raw = Buffer.concat(chunks);
			const check = verifyLiteSignature(GATEWAY.webhookSecret, raw, request.headers['x-lite-signature'], Math.floor(Date.now() / 1000));
			response.writeHead(check.valid ? 200 : 401).end();
			const event = JSON.parse(raw.toString('utf8'));
			if (event.event === 'message') receive({ event, check });
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	try {
		const url = `http://127.0.0.1:${server.address().port}/webhook/whatsapp`;
		await api(base, 'POST', '/webhooks', { url, events: ['message'] });
		say(`  Webhook registered: ${url}`);
		await api(base, 'POST', '/sandbox/inbound', { from: '+49 151 23456701', name: 'Ada', body: 'Yes please, keep me posted!' });
		say('  Sandbox: Ada (+49 151 23456701) writes "Yes please, keep me posted!"');
		const timeout = sleep(10_000).then(() => {
			throw new DemoFailure('no webhook event arrived within 10 s of the inbound message', gatewayLog);
		});
		const { event, check } = await Promise.race([received, timeout]);
		if (!check.valid) throw new DemoFailure(`the webhook event's signature did not verify: ${check.reason}`, gatewayLog);
		say(`  Webhook received "${event.event}" from ${event.data.name ?? '?'} (${event.data.from}): "${event.data.body}"`);
		say('  Its X-Lite-Signature verifies with the webhook secret, as the WhatsApp Trigger checks it.');
	} finally {
		await new Promise((resolve) => server.close(resolve));
	}
}

async function main() {
	say('WhatsApp Automator demo: a scheduled segment send on the Lite sandbox (no phone needed)');
	await prepareGateway();
	const base = await startGateway();

	step("Loading n8n's execution engine with the built nodes from dist/");
	process.env.N8N_USER_FOLDER = path.join(tmp, 'n8n');
	process.env.N8N_ENCRYPTION_KEY ??= secret(); // n8n-core wants one; nothing is encrypted in the demo
	fs.mkdirSync(process.env.N8N_USER_FOLDER);
	const { loadHarness } = require('./lib/harness');
	const harness = loadHarness();
	const { ScheduleTriggerStandIn, CodeStandIn } = require('./lib/standInNodes');
	harness.registerNodeType('n8n-nodes-base.scheduleTrigger', new ScheduleTriggerStandIn());
	harness.registerNodeType('n8n-nodes-base.code', new CodeStandIn());
	const { verifyLiteSignature } = require('../dist/contract/signatures');
	say(`  Workflow: examples/${path.basename(WORKFLOW_FILE)} — Schedule Trigger → Code (the segment) → WhatsApp Send (Lite)`);
	say(
		`  Demo delivery settings: campaign "${DEMO_DELIVERY.campaignId}", sent from n8n (the file hands the segment to the container as a campaign at 3–5 minutes, safe for real numbers), workflow cap ${DEMO_DELIVERY.dailyQuota} a day`,
	);

	step('Run 1: the schedule fires, the segment gets its message');
	const first = await runCampaign(harness, base, 'Execution finished');
	printResults(first);
	assert.ok(
		first.every((row) => row.status === 'accepted' && row.messageId),
		'every recipient should be sent on the first run',
	);

	step('What the sandbox recorded (GET /sandbox/messages)');
	const { messages } = await api(base, 'GET', '/sandbox/messages');
	for (const message of messages) {
		const text = message.content?.text ?? message.content?.caption ?? JSON.stringify(message.content);
		say(`    ${shortTime(message.timestamp)}  to ${message.chatId}: "${text}"`);
	}
	assert.equal(messages.length, first.length, 'the sandbox should have recorded one message per recipient');
	for (const row of first) {
		const recorded = messages.find((message) => message.id === row.messageId);
		assert.ok(recorded, `the sandbox has no message ${row.messageId} for ${row.name}`);
		assert.ok(recorded.content?.text?.startsWith(`Hello ${row.name}!`), `${row.name}'s message should start with "Hello ${row.name}!"`);
	}
	const gaps = messages.slice(1).map((message, index) => (Date.parse(message.timestamp) - Date.parse(messages[index].timestamp)) / 1000);
	say(
		`    Gaps between messages: ${gaps.map((gap) => `${gap.toFixed(1)} s`).join(', ')} (the gateway's pace for the suit, MIN_SEND_GAP_MS)`,
	);

	step('Run 2: the same campaign again (a re-run after a crash, or a second trigger)');
	const second = await runCampaign(harness, base, 'Execution finished');
	printResults(second);
	assert.ok(
		second.every((row) => row.status === 'skipped' && row.reason.startsWith('already sent in this campaign')),
		'every recipient should be skipped on the second run',
	);
	const after = await api(base, 'GET', '/sandbox/messages');
	assert.equal(after.messages.length, messages.length, 'the second run must not send anything');
	say(`    The sandbox still holds ${after.messages.length} messages: nobody got a message twice.`);

	await showInbound(base, verifyLiteSignature);
}

async function shutdown() {
	if (gateway) await stop(gateway.child, 5_000);
}

process.on('SIGINT', () => {
	killAllSync();
	process.exit(130);
});

main().then(
	async () => {
		await shutdown();
		step(`Demo finished in ${elapsed()}: gateway stopped, all checks passed.`);
		say('Next: import examples/segment-send.lite.json (or .cloud.json) into your n8n — see examples/README.md.');
		fs.rmSync(tmp, { recursive: true, force: true });
		process.exit(0);
	},
	async (error) => {
		await shutdown().catch(() => undefined);
		say(`\n✗ Demo FAILED after ${elapsed()}: ${error.message}`);
		if (!(error instanceof DemoFailure) && !(error instanceof assert.AssertionError)) say(error.stack);
		if (error.logFile) say(`----- last lines of ${path.basename(error.logFile)} -----\n${tail(error.logFile)}\n-----`);
		fs.rmSync(tmp, { recursive: true, force: true });
		process.exit(1);
	},
);
