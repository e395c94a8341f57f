'use strict';
/**
 * The BSUID case, against a running `n8n start` with workflows/bsuid.json active (one workflow, one activation: a
 * WhatsApp Trigger with Record Opt-Outs → auto-reply to `{{ $json.from || $json.userId }}`, and a Webhook → segment →
 * WhatsApp Send): a user whose phone Meta withholds writes "hi" and the auto-reply reaches them by BSUID (`recipient`);
 * they write "STOP", which the trigger records (its auto-reply is skipped as opted out); a segment naming them by
 * BSUID then skips them and sends to the other recipient. The executions are read from n8n's database.
 */
const assert = require('node:assert/strict');
const { createHmac } = require('node:crypto');
const { requireTypeScriptFake } = require('./loadTypeScript');
const { readExecutions, until } = require('./triggerCase');
const { waitForWebhook } = require('./webhookReady');

const { metaTextFrom, metaWebhookBody } = requireTypeScriptFake('metaWebhook.ts');

const USER = { userId: 'DE.13491208655302741918', username: 'kerry.f', name: 'Kerry' };
const OTHER = '4915100000777';
const SEGMENT_PATH = 'e2e-bsuid-segment';

async function bsuidCase({ baseUrl, fake, workflow, credential, databaseFile, host, logsOnFailure, CaseFailure }) {
	const trigger = workflow.nodes.find((node) => node.type.endsWith('.whatsAppTrigger'));
	const url = `${baseUrl}/webhook/${trigger.webhookId}/webhook`;
	const acceptedBefore = fake.accepted.length;
	const writes = async (text, messageId) => {
		const raw = JSON.stringify(metaWebhookBody(metaTextFrom(USER, text, messageId), credential.phoneNumberId));
		const signature = `sha256=${createHmac('sha256', credential.appSecret).update(raw).digest('hex')}`;
		const answer = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
			body: raw,
		});
		assert.equal(answer.status, 200, `the signed webhook answered ${answer.status}: ${await answer.clone().text()}`);
	};
	const finished = (count) =>
		until(
			`${count} finished trigger executions of the workflow`,
			async () => {
				const rows = await readExecutions(host, databaseFile, workflow.id);
				return rows.length >= count && rows.every((row) => !['new', 'running', 'waiting'].includes(row.status) && row.data)
					? rows
					: undefined;
			},
			60_000,
		);
	const replyOf = (execution) => execution.data.resultData.runData['Auto-Reply'][0].data.main[0][0].json;
	try {
		await waitForWebhook(url);
		await writes('hi', 'wamid.E2EBSUID000000000001');
		const [hi] = await finished(1);
		assert.equal(hi.status, 'success', `the auto-reply execution ended ${hi.status}`);
		const event = hi.data.resultData.runData['WhatsApp Trigger'][0].data.main[0][0].json;
		assert.equal(event.userId, USER.userId, "the trigger item's userId");
		assert.equal(event.username, USER.username, "the trigger item's username");
		assert.ok(!('from' in event), 'a phone-less message has no from');
		const [reply] = fake.accepted.slice(acceptedBefore);
		assert.ok(reply, 'the fake Graph API got the auto-reply');
		assert.equal(reply.body.recipient, USER.userId, 'the auto-reply went out as recipient (BSUID)');
		assert.ok(!('to' in reply.body), 'no to for a BSUID send');
		assert.equal(replyOf(hi).sentTo, 'userId');

		await writes('STOP', 'wamid.E2EBSUID000000000002');
		const stop = (await finished(2))[1];
		assert.equal(stop.status, 'success', `the STOP execution ended ${stop.status}`);
		const stopEvent = stop.data.resultData.runData['WhatsApp Trigger'][0].data.main[0][0].json;
		assert.equal(stopEvent.optOut?.action, 'opted_out', 'the trigger recorded the opt-out');
		assert.equal(replyOf(stop).status, 'skipped', 'the auto-reply to STOP is skipped: the person opted out');

		await waitForWebhook(`${baseUrl}/webhook/${SEGMENT_PATH}`);
		const segment = await fetch(`${baseUrl}/webhook/${SEGMENT_PATH}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ recipients: [USER.userId, `+${OTHER}`] }),
		});
		const segmentBody = await segment.text();
		assert.equal(segment.status, 200, `the segment webhook answered ${segment.status}: ${segmentBody}`);
		const sent = fake.accepted.slice(acceptedBefore).map((accepted) => accepted.to);
		assert.deepEqual(sent, [USER.userId, OTHER], 'one auto-reply by BSUID, then only the other recipient of the segment');
		return `auto-reply ${reply.id} to ${USER.userId} (recipient), STOP recorded, segment skipped the BSUID and sent to ${OTHER}`;
	} catch (error) {
		if (error instanceof assert.AssertionError) throw new CaseFailure(error.message, logsOnFailure);
		throw error;
	}
}

module.exports = { bsuidCase, BSUID_WORKFLOW: { file: 'bsuid.json', id: 'e2eBsuidFlows001' } };
