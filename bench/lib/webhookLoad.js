'use strict';
/**
 * The sender side of bench/trigger-events.js, in its own process so that its CPU is not counted as the trigger's:
 * posts signed Meta webhook bodies (one incoming text message each) to the trigger's URL over kept-alive
 * connections, `inFlight` at a time. Every `duplicateEvery`-th post repeats an earlier body, as Meta redelivers.
 * A post answered 503 ("deliver again later") is delivered again once the run's posts are answered, as Meta
 * retries a delivery that did not get a 2xx, until it gets another answer (at most `MAX_ATTEMPTS`).
 * Input: one JSON argument {url, appSecret, phoneNumberId, count, inFlight, duplicateEvery, idPrefix}.
 * Output: one JSON line {posted, unique, duplicates, statuses, redelivered, finalStatuses, received, connections, ms, totalMs}:
 * `statuses` counts the first answers, `finalStatuses` the last answer of each post, `received` sums the
 * `received` counts of the 2xx answers (events the trigger took over); `ms` the first round, `totalMs` with the
 * redeliveries.
 */
const http = require('node:http');
const { createHmac } = require('node:crypto');
const { performance } = require('node:perf_hooks');

const { url, appSecret, phoneNumberId, count, inFlight, duplicateEvery, idPrefix } = JSON.parse(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
const MAX_ATTEMPTS = 5;
/** Every connection the posts went over (kept alive, so about `inFlight` unless the server closed some). */
const sockets = new Set();
/** Between rounds of redeliveries (Meta waits longer; the pending claims settle within milliseconds here). */
const REDELIVERY_PAUSE_MS = 50;

function body(index) {
	const message = {
		from: '4915123456789',
		id: `wamid.${idPrefix}${String(index).padStart(8, '0')}`,
		timestamp: '1717430400',
		type: 'text',
		text: { body: `Hello ${index}` },
	};
	const value = {
		messaging_product: 'whatsapp',
		metadata: { display_phone_number: '15550100000', phone_number_id: phoneNumberId },
		contacts: [{ profile: { name: 'Kerry' }, wa_id: '4915123456789' }],
		messages: [message],
	};
	return JSON.stringify({
		object: 'whatsapp_business_account',
		entry: [{ id: '102290129340398', changes: [{ field: 'messages', value }] }],
	});
}

/** The answer's status and, for a JSON answer, its `received` count. */
function post(raw) {
	return new Promise((resolve, reject) => {
		const signature = `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
		const request = http.request(
			url,
			{
				method: 'POST',
				agent,
				headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(raw), 'x-hub-signature-256': signature },
			},
			(response) => {
				const chunks = [];
				response.on('data', (chunk) => chunks.push(chunk));
				response.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					const received = text.startsWith('{') ? Number(JSON.parse(text).received ?? 0) : 0;
					resolve({ status: response.statusCode, received });
				});
			},
		);
		request.on('socket', (socket) => sockets.add(socket));
		request.on('error', reject);
		request.end(raw);
	});
}

const increment = (counts, key) => (counts[key] = (counts[key] ?? 0) + 1);

/** Posts every body, `inFlight` at a time; the bodies answered 503 are returned for the next round. */
async function postAll(bodies, answered) {
	const again = [];
	let next = 0;
	await Promise.all(
		Array.from({ length: inFlight }, async () => {
			while (next < bodies.length) {
				const raw = bodies[next++];
				const answer = await post(raw);
				answered(answer);
				if (answer.status === 503) again.push(raw);
			}
		}),
	);
	return again;
}

async function main() {
	const bodies = [];
	let unique = 0;
	let duplicates = 0;
	for (let index = 0; index < count; index++) {
		const repeat = duplicateEvery > 0 && index % duplicateEvery === duplicateEvery - 1;
		// A repeat of one of the last few events: often still in flight, as a redelivery racing its original.
		bodies.push(repeat ? body(Math.max(0, unique - 1 - (index % 7))) : body(unique++));
		if (repeat) duplicates++;
	}
	const statuses = {};
	const finalStatuses = {};
	let received = 0;
	let redelivered = 0;
	const started = performance.now();
	let round = await postAll(bodies, ({ status, received: taken }) => {
		increment(statuses, status);
		if (status !== 503) increment(finalStatuses, status);
		if (status < 300) received += taken;
	});
	const ms = performance.now() - started;
	for (let attempt = 2; round.length > 0 && attempt <= MAX_ATTEMPTS; attempt++) {
		await new Promise((resolve) => setTimeout(resolve, REDELIVERY_PAUSE_MS));
		redelivered += round.length;
		const last = attempt === MAX_ATTEMPTS;
		round = await postAll(round, ({ status, received: taken }) => {
			if (status !== 503 || last) increment(finalStatuses, status);
			if (status < 300) received += taken;
		});
	}
	process.stdout.write(
		`${JSON.stringify({ posted: count, unique, duplicates, statuses, redelivered, finalStatuses, received, connections: sockets.size, ms, totalMs: performance.now() - started })}\n`,
	);
	agent.destroy();
}

main().catch((error) => {
	process.stderr.write(`webhook load failed: ${error?.stack ?? error}\n`);
	process.exit(1);
});
