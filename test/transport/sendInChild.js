'use strict';
/**
 * Sends `count` text messages through the kept-alive client (nodes/whatsapp/channel/keptAliveClient.ts) in a process
 * of its own, so that variables Node itself reads at each TLS connection (NODE_TLS_REJECT_UNAUTHORIZED) apply:
 * jest gives test code a copy of process.env that Node's internals do not see.
 *   node sendInChild.js <messages URL> <access token> <count> <in flight>
 * Prints {"statusCodes": [...]} or {"error": {...}} as one JSON line.
 */
require('../harness/registerTypeScript').allowTypeScript('nodes', 'contract');
const { keptAliveRequester } = require('../../nodes/whatsapp/channel/keptAliveClient.ts');

async function main() {
	const [url, token, count, inFlight] = process.argv.slice(2);
	const request = keptAliveRequester({
		headers: { authorization: `Bearer ${token}` },
		timeoutMs: 10_000,
		target: 'the test server',
		fallback: () => Promise.reject(new Error('the fallback must not be used here')),
	});
	const statusCodes = [];
	let next = 0;
	const worker = async () => {
		while (next < Number(count)) {
			const to = `4915100${String(next++).padStart(6, '0')}`;
			const answer = await request({
				method: 'POST',
				url,
				body: { messaging_product: 'whatsapp', to, type: 'text', text: { body: 'Hello' } },
			});
			statusCodes.push(answer.statusCode);
		}
	};
	await Promise.all(Array.from({ length: Number(inFlight) }, worker));
	return { statusCodes };
}

main().then(
	(result) => process.stdout.write(`${JSON.stringify(result)}\n`),
	(error) =>
		process.stdout.write(`${JSON.stringify({ error: { message: error.message, ...(error.toJSON?.() ?? { code: error.code }) } })}\n`),
);
