'use strict';
/**
 * The sender side of bench/trigger-events.js, in its own process so that its CPU is not counted as the trigger's:
 * posts signed Meta webhook bodies (one incoming text message each) to the trigger's URL over kept-alive
 * connections, `inFlight` at a time. Every `duplicateEvery`-th post repeats an earlier body, as Meta redelivers.
 * Input: one JSON argument {url, appSecret, phoneNumberId, count, inFlight, duplicateEvery}.
 * Output: one JSON line {posted, duplicates, statuses, ms}.
 */
const http = require('node:http');
const { createHmac } = require('node:crypto');
const { performance } = require('node:perf_hooks');

const { url, appSecret, phoneNumberId, count, inFlight, duplicateEvery, idPrefix } = JSON.parse(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });

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
				response.resume();
				response.on('end', () => resolve(response.statusCode));
			},
		);
		request.on('error', reject);
		request.end(raw);
	});
}

async function main() {
	const statuses = {};
	let next = 0;
	let unique = 0;
	let duplicates = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: inFlight }, async () => {
			while (next < count) {
				const index = next++;
				const repeat = duplicateEvery > 0 && index % duplicateEvery === duplicateEvery - 1;
				const raw = repeat ? body(Math.max(0, unique - 1 - (index % 7))) : body(unique++);
				if (repeat) duplicates++;
				const status = await post(raw);
				statuses[status] = (statuses[status] ?? 0) + 1;
			}
		}),
	);
	process.stdout.write(`${JSON.stringify({ posted: count, unique, duplicates, statuses, ms: performance.now() - started })}\n`);
	agent.destroy();
}

main().catch((error) => {
	process.stderr.write(`webhook load failed: ${error?.stack ?? error}\n`);
	process.exit(1);
});
