'use strict';
/**
 * The send-and-wait case, against a running `n8n start` with workflows/send-and-wait.json active: per backend (Cloud
 * through the fake Graph API, Lite through the real sandbox gateway) a Webhook starts an execution whose WhatsApp Send
 * asks "Approve the refund…?" and waits. The reply reaches the workflow's WhatsApp Trigger (Cloud: a signed Meta
 * webhook with the tapped button; Lite: the sandbox "phone" answers "2" and the gateway delivers it), the trigger
 * resumes the waiting execution through n8n's own waiting-webhook URL, and it finishes with the choice. The same
 * reply delivered again (to the same trigger, and on Cloud to a second trigger on the number) resumes
 * nothing and starts nothing. Then two questions with a 1 second limit end through n8n's timer with the timeout item.
 * Executions are read from n8n's database.
 */
const assert = require('node:assert/strict');
const path = require('node:path');
const { createHmac } = require('node:crypto');
const { ROOT } = require('./n8nHost');
const { requireTypeScriptFake } = require('./loadTypeScript');
const { readExecutions, until } = require('./triggerCase');
const { waitForWebhook } = require('./webhookReady');

const { metaWebhookBody } = requireTypeScriptFake('metaWebhook.ts');
const { liteSignatureHeader } = require(path.join(ROOT, 'contract', 'signatures.ts'));

const PEOPLE = { cloud: '4915100000901', lite: '4915100000902' };
const SEND_NODES = { cloud: 'Approval (Cloud)', lite: 'Approval (Lite)' };
const TRIGGERS = { cloud: 'Replies (Cloud)', lite: 'Replies (Lite)', second: 'Replies (Cloud, second trigger)' };

async function sendAndWaitCase({ restartN8n, baseUrl, fake, gateway, liteSuitId, liteSecret, workflow, credential, databaseFile, host }) {
	const webhookOf = (wf, name) => `${baseUrl}/webhook/${wf.nodes.find((node) => node.name === name).webhookId}/webhook`;
	const triggerUrl = { cloud: webhookOf(workflow, TRIGGERS.cloud), lite: webhookOf(workflow, TRIGGERS.lite) };
	const secondUrl = webhookOf(workflow, TRIGGERS.second);
	for (const url of [...Object.values(triggerUrl), `${baseUrl}/webhook/e2e-ask-cloud`, `${baseUrl}/webhook/e2e-ask-lite`])
		await waitForWebhook(url);
	const executions = () => readExecutions(host, databaseFile, workflow.id);

	/** Starts an ask; resolves with its execution once n8n stored it as waiting. */
	const ask = async (backend, limitSeconds, order) => {
		const known = new Set((await executions()).map((row) => row.id));
		const answer = await fetch(`${baseUrl}/webhook/e2e-ask-${backend}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ to: `+${PEOPLE[backend]}`, order, limitSeconds }),
		});
		assert.equal(answer.status, 200, `the ask webhook answered ${answer.status}: ${await answer.text()}`);
		return await until(
			`the ${backend} question's execution to wait`,
			async () => (await executions()).find((row) => !known.has(row.id) && row.status === 'waiting' && row.data),
			60_000,
		);
	};
	const finished = (id, timeoutMs = 60_000) =>
		until(
			`execution ${id} to finish`,
			async () => (await executions()).find((row) => row.id === id && ['success', 'error'].includes(row.status) && row.data),
			timeoutMs,
		);
	const sendOutput = (row, backend) => row.data.resultData.runData[SEND_NODES[backend]].at(-1).data.main[0][0].json;

	const signedMeta = (body) => {
		const raw = JSON.stringify(body);
		return {
			raw,
			headers: {
				'content-type': 'application/json',
				'x-hub-signature-256': `sha256=${createHmac('sha256', credential.appSecret).update(raw).digest('hex')}`,
			},
		};
	};
	/** Meta's signed delivery of the Cloud person's tap on a reply button. */
	const buttonTapped = (messageId, button) =>
		signedMeta(
			metaWebhookBody(
				{
					contacts: [{ profile: { name: 'Kerry' }, wa_id: PEOPLE.cloud }],
					messages: [
						{
							from: PEOPLE.cloud,
							id: messageId,
							timestamp: String(Math.floor(Date.now() / 1000)),
							type: 'interactive',
							interactive: { type: 'button_reply', button_reply: button },
						},
					],
				},
				credential.phoneNumberId,
			),
		);
	const post = async (url, { raw, headers }) => {
		const response = await fetch(url, { method: 'POST', headers, body: raw });
		return { status: response.status, body: await response.text() };
	};

	// --- Cloud: the person taps "Decline" ---------------------------------------------------------------------
	const acceptedBefore = fake.accepted.length;
	const cloudWaiting = await ask('cloud', 3600, 'A-1001');
	const question = fake.accepted[acceptedBefore];
	assert.ok(question, 'the fake Graph API got the question');
	const buttons = question.body.interactive.action.buttons.map((button) => button.reply);
	assert.deepEqual(
		buttons.map((button) => button.title),
		['Approve', 'Decline'],
		'reply buttons',
	);
	const reply = buttonTapped('wamid.E2EANSWER0000001', buttons[1]);
	const first = await post(triggerUrl.cloud, reply);
	assert.equal(first.status, 200, `the trigger answered the reply ${first.status}: ${first.body}`);
	const cloudDone = await finished(cloudWaiting.id);
	assert.equal(cloudDone.status, 'success', `the Cloud execution ended ${cloudDone.status}`);
	const cloudAnswer = sendOutput(cloudDone, 'cloud');
	assert.deepEqual(cloudAnswer.choice, { id: 'decline', text: 'Decline' }, 'the Cloud choice');
	assert.equal(cloudAnswer.from, PEOPLE.cloud, 'who answered');
	assert.equal(cloudAnswer.questionMessageId, question.id, 'the question message ID');
	// Redelivered to the same trigger, and seen by a second trigger on the number (sharing the Redis credential).
	for (const url of [triggerUrl.cloud, secondUrl]) {
		const again = await post(url, reply);
		assert.equal(again.status, 200, `a redelivery answered ${again.status}: ${again.body}`);
	}

	// --- Lite: the sandbox phone answers "2" ------------------------------------------------------------------
	await gateway.call('DELETE', '/sandbox/messages');
	const liteWaiting = await ask('lite', 3600, 'B-2002');
	const sent = await until(
		'the Lite question in the sandbox',
		async () => (await gateway.call('GET', '/sandbox/messages')).messages[0],
		30_000,
	);
	assert.match(JSON.stringify(sent), /1\. Approve\\n2\. Decline/, 'the numbered choices');
	const inbound = await gateway.call('POST', '/sandbox/inbound', { from: `+${PEOPLE.lite}`, body: '2' });
	const liteDone = await finished(liteWaiting.id);
	assert.equal(liteDone.status, 'success', `the Lite execution ended ${liteDone.status}`);
	const liteAnswer = sendOutput(liteDone, 'lite');
	assert.deepEqual(liteAnswer.choice, { id: 'decline', text: 'Decline' }, 'the Lite choice');
	assert.equal(liteAnswer.from, PEOPLE.lite, 'who answered on Lite');
	// The same message in a second signed delivery (a new event ID, as a redelivering gateway after a restart would send it).
	const raw = JSON.stringify({
		id: 'evt_e2e_redelivery',
		event: 'message',
		suitId: liteSuitId,
		timestamp: new Date().toISOString(),
		data: inbound.message,
	});
	const liteAgain = await post(triggerUrl.lite, {
		raw,
		headers: {
			'content-type': 'application/json',
			'x-lite-signature': liteSignatureHeader(liteSecret, raw, Math.floor(Date.now() / 1000)),
		},
	});
	assert.equal(liteAgain.status, 200, `the Lite redelivery answered ${liteAgain.status}: ${liteAgain.body}`);

	// Nothing resumed twice and no reply started a workflow: the two asks are this workflow's only executions so far.
	const afterAnswers = await executions();
	assert.deepEqual(afterAnswers.map((row) => row.id).sort(), [cloudWaiting.id, liteWaiting.id].sort(), 'executions of the workflow');
	for (const row of [cloudDone, liteDone])
		for (const backend of ['cloud', 'lite'])
			if (row.data.resultData.runData[SEND_NODES[backend]])
				assert.equal(row.data.resultData.runData[SEND_NODES[backend]].length, 1, 'the node ran once');

	// --- n8n restarted while a question waits: the reply still resumes it (question in Redis, execution in n8n's database) ---
	const acceptedBeforeRestart = fake.accepted.length;
	const restartWaiting = await ask('cloud', 3600, 'E-5005');
	await restartN8n();
	await waitForWebhook(triggerUrl.cloud);
	const restartButtons = fake.accepted[acceptedBeforeRestart].body.interactive.action.buttons.map((button) => button.reply);
	const afterRestart = await post(triggerUrl.cloud, buttonTapped('wamid.E2EANSWER0000002', restartButtons[0]));
	assert.equal(afterRestart.status, 200, `the trigger answered the reply after the restart ${afterRestart.status}: ${afterRestart.body}`);
	const restartDone = await finished(restartWaiting.id);
	assert.deepEqual(sendOutput(restartDone, 'cloud').choice, { id: 'approve', text: 'Approve' }, 'the choice after the restart');

	// --- time limit: n8n's wait timer continues both with the timeout item ------------------------------------
	const started = Date.now();
	const timing = [await ask('cloud', 1, 'C-3003'), await ask('lite', 1, 'D-4004')];
	const timedOut = await Promise.all(timing.map((row) => finished(row.id, 150_000)));
	timedOut.forEach((row, index) => {
		const backend = index === 0 ? 'cloud' : 'lite';
		assert.equal(row.status, 'success', `the ${backend} timed-out execution ended ${row.status}`);
		assert.deepEqual(
			{ answered: sendOutput(row, backend).answered, timedOut: sendOutput(row, backend).timedOut },
			{ answered: false, timedOut: true },
			`the ${backend} timeout item`,
		);
	});
	return `Cloud ${cloudWaiting.id} → decline, Lite ${liteWaiting.id} → decline, each once after 2 redeliveries; ${restartWaiting.id} → approve across an n8n restart; timeouts after ${((Date.now() - started) / 1000).toFixed(0)} s`;
}

module.exports = {
	sendAndWaitCase,
	SEND_AND_WAIT_WORKFLOW: {
		file: 'send-and-wait.json',
		id: 'e2eSendAndWait01',
		redisCredential: { id: 'e2eAskRedisCred1', name: 'WhatsApp Redis (e2e gateway redis-server)' },
	},
};
