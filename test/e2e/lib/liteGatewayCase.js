'use strict';
/**
 * The Lite gateway case, in the runner's `n8n start`: the real gateway (lib/liteGateway.js, sandbox driver, Redis)
 * paces a campaign that n8n handed to it, and reports it back to an active WhatsApp Trigger.
 *
 * workflows/lite-gateway-progress.json (WhatsApp Trigger on the gateway's credential, Campaign Progress and
 * Campaign Finished) registered its webhook with the gateway when n8n activated it. workflows/lite-gateway-campaign.json
 * (Webhook, answering when the last node is done → Code with 200 recipients → WhatsApp Send on Lite, default 3–5
 * minute delays) is called once: its execution hands the segment over and ends (its time is printed, nothing is
 * asserted on it). Then, read from the gateway's sandbox log and n8n's database: each of the 200 recipients got the
 * message exactly once, the trigger workflow ran once per recipient with a `sent` progress event, and once with
 * the campaign's `finished` event counting 200 sent.
 */
const assert = require('node:assert/strict');
const { readExecutions, until } = require('./triggerCase');

const RECIPIENTS = 200;
const SEGMENT_PATH = 'e2e-lite-gateway-campaign';
const FINISHED = ['success', 'error', 'crashed', 'canceled'];

/** Recipients of the workflow's Code node: +49 151 30000100 … 30000299 (none ends in 0000, the sandbox's "not on WhatsApp"). */
const expectedRecipients = () => Array.from({ length: RECIPIENTS }, (_, index) => `4915${130000100 + index}`);

const countBy = (values) => values.reduce((counts, value) => counts.set(value, (counts.get(value) ?? 0) + 1), new Map());

/** Recipients that are not there exactly once: "<number> ×<count>". */
function notExactlyOnce(expected, got) {
	const counts = countBy(got);
	const wrong = expected.filter((number) => counts.get(number) !== 1).map((number) => `${number} ×${counts.get(number) ?? 0}`);
	const strangers = [...counts.keys()].filter((number) => !expected.includes(number)).map((number) => `unexpected ${number}`);
	return [...wrong, ...strangers];
}

async function liteGatewayCase({
	baseUrl,
	gateway,
	suitId,
	sendWorkflowId,
	progressWorkflow,
	databaseFile,
	host,
	CaseFailure,
	logsOnFailure,
}) {
	try {
		// n8n 2.x activates workflows in the background after start-up: wait until the trigger registered itself.
		const triggerNode = progressWorkflow.nodes.find((node) => node.type.endsWith('.whatsAppTrigger'));
		const triggerUrl = `${baseUrl}/webhook/${triggerNode.webhookId}/webhook`;
		await until(
			'the WhatsApp Trigger to register its webhook with the gateway',
			async () => (await gateway.call('GET', '/webhooks')).webhooks?.find((hook) => hook.url === triggerUrl),
			60_000,
		);

		const since = Date.now();
		const answer = await fetch(`${baseUrl}/webhook/${SEGMENT_PATH}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		const handOffSeconds = ((Date.now() - since) / 1000).toFixed(1);
		const answerText = await answer.text();
		assert.equal(answer.status, 200, `the segment workflow answered ${answer.status}: ${answerText.slice(0, 500)}`);
		const items = JSON.parse(answerText);
		assert.equal(items.length, RECIPIENTS, 'items the segment workflow answered with (WhatsApp Send output)');
		assert.ok(
			items.every((item) => item.status === 'queued'),
			`an item not queued: ${JSON.stringify(items.find((item) => item.status !== 'queued'))}`,
		);
		const campaignIds = new Set(items.map((item) => item.campaignId));
		assert.equal(campaignIds.size, 1, `one campaign ID for the segment, got ${[...campaignIds].join(', ')}`);
		const [campaignId] = campaignIds;
		const [sending] = await readExecutions(host, databaseFile, sendWorkflowId, { withData: false });
		assert.equal(sending?.status, 'success', `the segment execution's status: ${sending?.status}`);

		// The gateway paces the campaign (DELAY_UNIT_MS makes its minutes milliseconds) and reports each recipient.
		const expected = expectedRecipients();
		const campaign = await until(
			`campaign ${campaignId} to finish in the gateway`,
			async () => {
				const view = await gateway.call('GET', `/${encodeURIComponent(suitId)}/campaigns/${encodeURIComponent(campaignId)}`);
				return view.state === 'finished' ? view : undefined;
			},
			180_000,
		);
		const { messages } = await gateway.call('GET', '/sandbox/messages');
		const sentTo = messages.map((message) => message.chatId.replace(/@.*$/, ''));
		assert.deepEqual(notExactlyOnce(expected, sentTo), [], 'recipients in the sandbox sent log that are not there exactly once');
		assert.ok(
			messages.every((message, index) => message.content?.text === `Hello Guest ${expected.indexOf(sentTo[index])}, doors open at eight.`),
			'each message carries its own rendered text',
		);

		const executions = await until(
			`${RECIPIENTS + 1} finished executions of the trigger workflow`,
			async () => {
				const rows = await readExecutions(host, databaseFile, progressWorkflow.id);
				return rows.length >= RECIPIENTS + 1 && rows.every((row) => FINISHED.includes(row.status) && row.data) ? rows : undefined;
			},
			180_000,
		);
		const failed = executions.find((row) => row.status !== 'success');
		assert.equal(failed, undefined, `trigger execution ${failed?.id} ended ${failed?.status}: ${failed?.data?.resultData?.error?.message}`);
		const events = executions.flatMap((row) => row.data.resultData.runData[triggerNode.name][0].data.main[0].map((item) => item.json));
		const progress = events.filter((event) => event.event === 'campaign');
		const finished = events.filter((event) => event.event === 'campaignFinished');
		assert.equal(
			executions.length,
			RECIPIENTS + 1,
			`trigger executions: ${executions.length}, expected one per recipient and one for the end`,
		);
		assert.ok(
			progress.every((event) => event.status === 'sent' && event.campaign.id === campaignId),
			`a progress event not "sent" in ${campaignId}: ${JSON.stringify(progress.find((event) => event.status !== 'sent' || event.campaign.id !== campaignId))}`,
		);
		assert.deepEqual(
			notExactlyOnce(
				expected,
				progress.map((event) => event.to.replace(/\D/g, '')),
			),
			[],
			'recipients without exactly one progress event',
		);
		assert.equal(finished.length, 1, `finished events: ${finished.length}`);
		assert.equal(finished[0].campaign.id, campaignId, 'the finished event names the campaign');
		assert.equal(
			finished[0].campaign.counts.sent,
			RECIPIENTS,
			`the finished event's counts: ${JSON.stringify(finished[0].campaign.counts)}`,
		);
		assert.equal(campaign.counts.sent, RECIPIENTS, 'the gateway counts every recipient sent');
		return `segment execution ended after ${handOffSeconds} s (webhook call, 200 queued in campaign ${campaignId}); the gateway sent each of the 200 once; trigger: 200 progress executions + 1 finished (sent=${RECIPIENTS})`;
	} catch (error) {
		if (error instanceof assert.AssertionError) throw new CaseFailure(error.message, logsOnFailure);
		throw error;
	}
}

module.exports = { liteGatewayCase };
