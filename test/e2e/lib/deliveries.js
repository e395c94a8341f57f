'use strict';
/**
 * Webhook load against a real n8n, shared by the load case, the queue-at-scale case and bench/trigger-n8n.js:
 * signed Meta deliveries (one message each), a sender with N requests in flight that re-sends what was not
 * answered 2xx (as Meta does) and times every answer, and the executions they started, read once settled.
 */
const { createHmac } = require('node:crypto');
const { performance } = require('node:perf_hooks');
const { requireTypeScriptFake } = require('./loadTypeScript');
const { sleep } = require('./processes');

const { metaWebhookBody } = requireTypeScriptFake('metaWebhook.ts');

/** A delivery Meta keeps retrying; past this many answers that are not 2xx the sender gives up on it. */
const MAX_ATTEMPTS = 20;

const messageIdOf = (prefix, index) => `wamid.${prefix}${String(index).padStart(6, '0')}`;

/** `count` distinct Meta deliveries of one text message each, signed with the credential's app secret. */
function signedMetaDeliveries({ count, credential, prefix, from = 0 }) {
	return Array.from({ length: count }, (_unused, offset) => {
		const index = from + offset;
		const messageId = messageIdOf(prefix, index);
		const raw = JSON.stringify(
			metaWebhookBody(
				{
					contacts: [{ profile: { name: 'Load' }, wa_id: '4915123456789' }],
					messages: [
						{
							from: '4915123456789',
							id: messageId,
							timestamp: String(Math.floor(Date.now() / 1000)),
							type: 'text',
							text: { body: `load ${index}` },
						},
					],
				},
				credential.phoneNumberId,
			),
		);
		return {
			messageId,
			raw,
			headers: { 'x-hub-signature-256': `sha256=${createHmac('sha256', credential.appSecret).update(raw).digest('hex')}` },
		};
	});
}

const post = (url, body, headers = {}) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/**
 * Sends every request with `concurrency` in flight (`send(request)` resolves with a fetch Response). A request
 * answered otherwise than 2xx (or not at all) goes to the back of the queue and is sent again after a short pause,
 * up to MAX_ATTEMPTS times, when `resend`; else it is given up. Each answer's time is kept (ms, in `latencies`).
 */
async function sendAll(requests, send, { concurrency, resend }) {
	const queue = requests.map((request) => ({ request, attempts: 0 }));
	const outcome = { accepted: [], notAccepted: new Map(), gaveUp: [], sent: 0, latencies: [] };
	const worker = async () => {
		while (queue.length) {
			const job = queue.shift();
			if (job.attempts > 0) await sleep(200);
			job.attempts++;
			outcome.sent++;
			let answer;
			const since = performance.now();
			try {
				const response = await send(job.request);
				answer = { status: response.status, body: await response.text() };
			} catch (error) {
				answer = { status: `no answer (${error.cause?.code ?? error.message})` };
			}
			outcome.latencies.push(performance.now() - since);
			if (typeof answer.status === 'number' && answer.status < 300) {
				outcome.accepted.push({ ...job, answer });
				continue;
			}
			outcome.notAccepted.set(answer.status, (outcome.notAccepted.get(answer.status) ?? 0) + 1);
			if (resend && job.attempts < MAX_ATTEMPTS) queue.push(job);
			else outcome.gaveUp.push(job);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	return outcome;
}

/**
 * Polls `read({ withData })` (a workflow's executions) until they stop changing and none is new or running (or the
 * time is up), then reads them with their data.
 */
async function settledExecutions(read, expected, { timeoutMs = 180_000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	let previous = '';
	let stableFor = 0;
	for (;;) {
		const rows = await read({ withData: false });
		const busy = rows.filter((row) => ['new', 'running'].includes(row.status)).length;
		// Progress is executions created or finished: queued ones that drain count, or the next case starts behind them.
		const state = `${rows.length}/${busy}`;
		stableFor = state === previous ? stableFor + 1 : 0;
		previous = state;
		if ((rows.length >= expected && busy === 0) || stableFor >= 10 || Date.now() > deadline) return await read({ withData: true });
		await sleep(1000);
	}
}

/** A start node's items in an execution: from its run data, or from the start stack of one that never ran. */
function startItems(row, nodeName) {
	const ran = row.data?.resultData?.runData?.[nodeName]?.[0]?.data?.main?.[0];
	return ran ?? row.data?.executionData?.nodeExecutionStack?.[0]?.data?.main?.[0] ?? [];
}

const countBy = (values) => [...values.reduce((counts, value) => counts.set(value, (counts.get(value) ?? 0) + 1), new Map())];
const describeCounts = (entries) => entries.map(([key, count]) => `${count}× ${key}`).join(', ') || 'none';

/**
 * Each sent key against the executions: `executed` distinct keys started, `twice` keys started more than once,
 * `missing` sent keys never started (`startedKeys` lists one key per started item).
 */
function exactlyOnce(sentKeys, startedKeys) {
	const perKey = new Map(countBy(startedKeys));
	return {
		executed: perKey.size,
		twice: [...perKey].filter(([, count]) => count > 1).map(([key]) => key),
		missing: sentKeys.filter((key) => !perKey.has(key)),
	};
}

/** The p-th percentile (0..100) of numbers, nearest rank. */
function percentile(values, p) {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

module.exports = {
	MAX_ATTEMPTS,
	signedMetaDeliveries,
	post,
	sendAll,
	settledExecutions,
	startItems,
	countBy,
	describeCounts,
	exactlyOnce,
	percentile,
};
