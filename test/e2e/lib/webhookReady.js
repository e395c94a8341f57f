'use strict';
/**
 * Waits until a production webhook is registered in a running n8n, without running its workflow: a CORS preflight
 * (OPTIONS with an Origin) answers 204 once n8n knows the path and 404 before. n8n 1.x activates workflows before
 * it logs "Editor is now accessible via"; n8n 2.x (workflow publication service, on by default since 2.41) does so
 * in the background afterwards, so a webhook called right after start-up may not be registered yet.
 */
const assert = require('node:assert/strict');
const { sleep } = require('./processes');

async function waitForWebhook(url, { method = 'POST', timeoutMs = 60_000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	let last = 'no answer';
	while (Date.now() < deadline) {
		try {
			const response = await fetch(url, {
				method: 'OPTIONS',
				headers: { origin: 'http://127.0.0.1', 'access-control-request-method': method },
			});
			if (response.status === 204) return;
			last = `${response.status} ${(await response.text()).slice(0, 200)}`;
		} catch (error) {
			last = error.message;
		}
		await sleep(250);
	}
	throw new assert.AssertionError({
		message: `the webhook ${method} ${url} was not registered within ${timeoutMs / 1000} s (last answer: ${last})`,
	});
}

module.exports = { waitForWebhook };
