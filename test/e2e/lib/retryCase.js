'use strict';
/**
 * The retry case: n8n's Retry of a failed execution continues the sending node's campaign in a real n8n.
 *
 * workflows/lite-retry.json (Webhook → Code with 4 recipients → WhatsApp Send on Lite, sent from n8n, no Redis: the
 * ledger lives in the n8n process) is active in `n8n start`. A POST to its webhook runs it while the fake Lite
 * container says the first recipient is not on WhatsApp: 3 are sent, the node fails, the execution is stored as
 * failed. The case then sets up the owner (REST, as the first visit to the editor does), retries that execution
 * through `POST /rest/executions/{id}/retry` (the editor's Retry button) with the number now on WhatsApp, and reads
 * the new execution from n8n's database: it kept the campaign ID (custom data), sent the first recipient, skipped
 * the other 3 as already sent in this campaign, and the container got each of the 4 exactly once.
 */
const assert = require('node:assert/strict');
const { readExecutions, until } = require('./triggerCase');
const { waitForWebhook } = require('./webhookReady');

const WORKFLOW_ID = 'e2eLiteRetry0001';
const WEBHOOK_PATH = 'e2e-lite-retry';
const FIRST = '4915140000000';
const ALL = [0, 1, 2, 3].map((index) => `49151${40000000 + index}`);

async function retryCase({ baseUrl, lite, databaseFile, host, CaseFailure, logsOnFailure }) {
	try {
		await waitForWebhook(`${baseUrl}/webhook/${WEBHOOK_PATH}`);
		lite.state.notOnWhatsApp = [FIRST];
		const started = await fetch(`${baseUrl}/webhook/${WEBHOOK_PATH}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		assert.equal(started.status, 200, `the webhook answered ${started.status}`);
		const failed = await until(
			'the original execution to fail',
			async () => (await readExecutions(host, databaseFile, WORKFLOW_ID)).find((row) => row.status === 'error' && row.data),
			60_000,
		);
		lite.state.notOnWhatsApp = [];
		const sentFirst = lite.sent.filter((message) => ALL.includes(String(message.number))).map((message) => String(message.number));
		assert.deepEqual(sentFirst.sort(), ALL.slice(1), `the original execution sent to ${sentFirst.join(', ')}`);

		const owner = await fetch(`${baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ email: 'owner@example.com', firstName: 'E2e', lastName: 'Owner', password: 'E2e-owner-Passw0rd' }),
		});
		assert.equal(owner.status, 200, `owner setup answered ${owner.status}: ${await owner.text()}`);
		const cookie = (owner.headers.get('set-cookie') ?? '').split(';')[0];
		const retry = await fetch(`${baseUrl}/rest/executions/${failed.id}/retry`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie },
			body: JSON.stringify({ loadWorkflow: false }),
		});
		assert.equal(retry.status, 200, `retry answered ${retry.status}: ${await retry.text()}`);

		const retried = await until(
			'the retried execution to finish',
			async () =>
				(await readExecutions(host, databaseFile, WORKFLOW_ID)).find(
					(row) => row.id !== failed.id && row.mode === 'retry' && row.status !== 'running' && row.status !== 'new' && row.data,
				),
			60_000,
		);
		assert.equal(retried.status, 'success', `the retried execution ended ${retried.status}`);
		assert.deepEqual(
			retried.data.resultData.metadata,
			failed.data.resultData.metadata,
			"the retried execution carries the original's custom data (the campaign ID)",
		);
		const items = retried.data.resultData.runData['WhatsApp Send'].at(-1).data.main[0].map((item) => item.json);
		assert.deepEqual(
			items.map((item) => [item.to, item.status]),
			[[FIRST, 'accepted'], ...ALL.slice(1).map((to) => [to, 'skipped'])],
			`the retry sends the failed recipient and skips the others: ${JSON.stringify(items)}`,
		);
		assert.ok(
			items.slice(1).every((item) => /^already sent in this campaign/.test(item.reason)),
			`skip reasons: ${items.map((item) => item.reason).join(' | ')}`,
		);
		const received = lite.sent.filter((message) => ALL.includes(String(message.number))).map((message) => String(message.number));
		assert.deepEqual(received.sort(), ALL, 'each of the 4 recipients got exactly one message over both executions');
		const [campaignId] = Object.values(failed.data.resultData.metadata ?? {});
		return `execution ${failed.id} (failed, 3 sent) retried as ${retried.id} in campaign ${campaignId}: 1 sent, 3 skipped as already sent`;
	} catch (error) {
		if (error instanceof assert.AssertionError) throw new CaseFailure(error.message, logsOnFailure);
		throw error;
	}
}

module.exports = { retryCase };
