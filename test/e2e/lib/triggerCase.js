'use strict';
/**
 * The trigger case, against a running `n8n start` whose workflow test/e2e/workflows/trigger-echo.json is active:
 * Meta's GET verification handshake, a POST with a wrong signature (refused, nothing runs), a signed Meta webhook
 * (200; the workflow runs and its WhatsApp Send answers the sender through the fake Graph API), the same
 * delivery again (de-duplicated: nothing runs). The executions are read from n8n's own SQLite database.
 */
const assert = require('node:assert/strict');
const { createHmac } = require('node:crypto');
const path = require('node:path');
const { requireTypeScriptFake } = require('./loadTypeScript');
const { sleep } = require('./processes');

const { metaWebhookBody } = requireTypeScriptFake('metaWebhook.ts');

const CUSTOMER = { waId: '4915123456789', name: 'Ada' };

/** A signed-to-be Meta webhook: the customer writes `text` to the business number. */
function customerWrites(phoneNumberId, messageId, text) {
	return metaWebhookBody(
		{
			contacts: [{ profile: { name: CUSTOMER.name }, wa_id: CUSTOMER.waId }],
			messages: [
				{ from: CUSTOMER.waId, id: messageId, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } },
			],
		},
		phoneNumberId,
	);
}

/**
 * An execution row as the cases read it. n8n 1.x on SQLite (pool size 0) writes an ending execution's status and its
 * run data in two statements (ExecutionRepository.updateExistingExecution), so a read between them sees `success` or
 * `error` beside the data the execution started with (no node run, no error): such a row is still `running`.
 */
function parsedRow(row, parse) {
	const data = row.data ? parse(row.data) : undefined;
	const dataWritten = Object.keys(data?.resultData?.runData ?? {}).length > 0 || data?.resultData?.error;
	const status = data && ['success', 'error'].includes(row.status) && !dataWritten ? 'running' : row.status;
	return { id: row.id, status, mode: row.mode, data };
}

/** The workflow's executions, from n8n's database (read-only), with their parsed run data unless withData is false. */
function readExecutions(host, databaseFile, workflowId, { withData = true } = {}) {
	const sqlite3 = require(path.join(host, 'node_modules', 'sqlite3'));
	const { parse } = require(path.join(host, 'node_modules', 'flatted'));
	return new Promise((resolve, reject) => {
		const db = new sqlite3.Database(databaseFile, sqlite3.OPEN_READONLY, (openError) => {
			if (openError) return reject(openError);
			// n8n writes executions while this reads: wait for its write lock instead of failing with SQLITE_BUSY
			// (seen on a loaded machine).
			db.configure('busyTimeout', 10_000);
			db.all(
				`SELECT e.id, e.status, e.mode${withData ? ', d.data' : ''} FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY e.id`,
				[workflowId],
				(error, rows) => {
					db.close();
					if (error) return reject(error);
					resolve(rows.map((row) => parsedRow(row, parse)));
				},
			);
		});
	});
}

async function until(what, check, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new assert.AssertionError({ message: `timed out after ${timeoutMs / 1000} s waiting for ${what}` });
		await sleep(500);
	}
}

async function triggerCase({ baseUrl, fake, workflow, credential, databaseFile, host, logsOnFailure, CaseFailure }) {
	const trigger = workflow.nodes.find((node) => node.type.endsWith('.whatsAppTrigger'));
	// A trigger node with a webhookId and a fixed path ('webhook' in the node's description) is served at
	// /webhook/<webhookId>/<path> in production (active workflow).
	const url = `${baseUrl}/webhook/${trigger.webhookId}/webhook`;
	const acceptedBefore = fake.accepted.length;
	const messageId = 'wamid.HBgNNDkxNTEyMzQ1Njc4ORUCABIYFkUyRVRFU1QwMDAwMDAwMDAwMDAx';
	const raw = JSON.stringify(customerWrites(credential.phoneNumberId, messageId, 'Hi from the e2e test'));
	const signature = `sha256=${createHmac('sha256', credential.appSecret).update(raw).digest('hex')}`;
	const post = (headers) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });

	try {
		const handshake = await fetch(
			`${url}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(credential.verifyToken)}&hub.challenge=1158201444`,
		);
		assert.equal(handshake.status, 200, `GET verification handshake answered ${handshake.status}: ${await handshake.clone().text()}`);
		assert.equal(await handshake.text(), '1158201444', 'the handshake echoes hub.challenge');

		// n8n would parse an application/json body itself and answer 422 with its parser's message; the trigger
		// reads the raw body (hidden options.binaryData) and answers its own 400.
		const cutOff = '{"object":"whatsapp_business_account","entry":[';
		const notJson = await fetch(url, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'x-hub-signature-256': `sha256=${createHmac('sha256', credential.appSecret).update(cutOff).digest('hex')}`,
			},
			body: cutOff,
		});
		const notJsonBody = await notJson.text();
		assert.equal(notJson.status, 400, `a body that is not JSON answered ${notJson.status}: ${notJsonBody}`);
		assert.match(JSON.parse(notJsonBody).error, /^The body is not JSON \(/, `the trigger's own message: ${notJsonBody}`);

		const forged = await post({ 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` });
		assert.equal(forged.status, 401, `a wrong signature is refused (got ${forged.status}: ${await forged.text()})`);

		const delivered = await post({ 'x-hub-signature-256': signature });
		assert.equal(delivered.status, 200, `the signed webhook answered ${delivered.status}: ${await delivered.clone().text()}`);

		const executions = await until(
			"a finished execution of the trigger workflow in n8n's database",
			async () => {
				const rows = await readExecutions(host, databaseFile, workflow.id);
				return rows.length && rows.every((row) => !['new', 'running', 'waiting'].includes(row.status) && row.data) ? rows : undefined;
			},
			60_000,
		);
		const failed = executions.find((row) => row.status !== 'success');
		if (failed) {
			const error = failed.data.resultData?.error;
			const where = error?.node?.name ? ` in node "${error.node.name}"` : '';
			throw new CaseFailure(
				`execution ${failed.id} ended with status ${failed.status}${where}: ${error?.message ?? '(no error recorded)'}${error?.description ? ` — ${error.description}` : ''}`,
				logsOnFailure,
			);
		}

		const redelivered = await post({ 'x-hub-signature-256': signature });
		assert.equal(redelivered.status, 200, `the redelivery answered ${redelivered.status}`);
		assert.deepEqual(await redelivered.json(), { received: 0 }, 'the redelivered message is recognised as a duplicate');
		await sleep(2000);

		const answers = fake.accepted.slice(acceptedBefore);
		assert.equal(answers.length, 1, `the fake got ${answers.length} answers, expected exactly 1`);
		assert.deepEqual(answers[0].body, {
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: CUSTOMER.waId,
			type: 'text',
			text: { body: 'Thanks Ada, you wrote: Hi from the e2e test', preview_url: false },
			context: { message_id: messageId },
		});

		const finalRows = await readExecutions(host, databaseFile, workflow.id);
		assert.equal(
			finalRows.length,
			1,
			`executions of the trigger workflow: ${finalRows.length}, expected 1 (none for the forged or the duplicate delivery)`,
		);
		const [execution] = executions;
		assert.equal(execution.status, 'success', 'execution status');
		assert.equal(execution.mode, 'webhook', 'execution mode');
		const runData = execution.data.resultData.runData;
		const event = runData[trigger.name][0].data.main[0][0].json;
		assert.equal(event.event, 'message');
		assert.equal(event.backend, 'cloud');
		assert.equal(event.from, CUSTOMER.waId);
		assert.equal(event.name, CUSTOMER.name);
		assert.equal(event.type, 'text');
		assert.equal(event.text, 'Hi from the e2e test');
		assert.equal(event.messageId, messageId);
		assert.equal(event.businessNumber, credential.phoneNumberId);
		const answerItem = runData.Answer[0].data.main[0][0].json;
		assert.equal(answerItem.messageId, answers[0].id, 'the Answer node output the wamid the fake gave');
		assert.equal(answerItem.status, 'accepted');
		return `execution ${execution.id} (webhook, success), answer ${answers[0].id} to ${answers[0].to}; body not JSON 400, forged signature 401, duplicate ignored`;
	} catch (error) {
		if (error instanceof assert.AssertionError) throw new CaseFailure(error.message, logsOnFailure);
		throw error;
	}
}

module.exports = { triggerCase, readExecutions, until };
