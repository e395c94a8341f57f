'use strict';
/**
 * The campaign case: in a real n8n, `n8n execute` runs workflows/lite-campaign.json (Manual Trigger → Code with 200
 * recipients → WhatsApp Send on Lite with the default 3–5 minute delays → WhatsApp Send "Campaign: Get" once). The
 * segment must be handed to the fake Lite container as one campaign (one Notify request, 200 receivers, each with
 * its rendered text), every item must say `queued` with the same campaign ID, and Get must report 200 queued. The
 * execution's time is printed (a 15–25 hour segment if n8n paced it itself); nothing is asserted about it.
 */
const assert = require('node:assert/strict');

const WORKFLOW_ID = 'e2eLiteCampaign1';
const RECIPIENTS = 200;

async function campaignCase({ n8n, lite, executionResult, CaseFailure }) {
	const since = Date.now();
	const execution = await n8n(['execute', `--id=${WORKFLOW_ID}`, '--rawOutput'], 'execute-campaign');
	const elapsed = ((Date.now() - since) / 1000).toFixed(1);
	const outcome = executionResult(execution.stdout);
	const workflowError = outcome?.data?.resultData?.error;
	if (workflowError)
		throw new CaseFailure(
			`the workflow failed in "${workflowError.node?.name ?? '?'}": ${workflowError.message}${workflowError.description ? ` — ${workflowError.description}` : ''}`,
			[execution.logFile],
		);
	if (execution.code !== 0 || !outcome)
		throw new CaseFailure(`n8n execute ${execution.timedOut ? 'timed out' : `exited with ${execution.code}`} without a successful run`, [
			execution.logFile,
		]);
	try {
		const runData = outcome.data.resultData.runData;
		const items = runData['WhatsApp Send'][0].data.main[0].map((item) => item.json);
		assert.equal(items.length, RECIPIENTS, 'output items of WhatsApp Send');
		const campaignIds = new Set(items.map((item) => item.campaignId));
		assert.equal(campaignIds.size, 1, `one campaign ID for the segment, got ${[...campaignIds].join(', ')}`);
		const [campaignId] = campaignIds;
		assert.ok(
			items.every((item) => item.status === 'queued'),
			`an item not queued: ${JSON.stringify(items.find((item) => item.status !== 'queued'))}`,
		);

		const handOffs = lite.requests.filter((request) => request.method === 'POST' && /^\/[^/]+\/send$/.test(request.path));
		assert.equal(handOffs.length, 1, `hand-off requests at the container: ${handOffs.length}`);
		const { UOWHATSAPP: notify, campaign_id: postedId } = handOffs[0].body;
		assert.equal(postedId, campaignId, 'campaign_id of the Notify body');
		assert.equal(notify.receivers.length, RECIPIENTS, 'receivers in the Notify body');
		assert.equal(notify.message, '{{user.text}}', 'each receiver carries its rendered text');
		assert.deepEqual(notify.receivers[7], {
			mobileNum: '4915120000007',
			user: { text: 'Hello Customer 7, the spring sale starts today.' },
		});
		assert.deepEqual([notify.min_delay, notify.max_delay, notify.random_delay], [3, 5, true], 'delays of the Notify body');
		assert.equal(lite.requests.filter((request) => request.path === '/api/send-message').length, 0, 'no message was sent from n8n');

		const report = runData.Campaign[0].data.main[0].map((item) => item.json);
		assert.equal(report.length, 1, 'Campaign: Get ran once (executeOnce)');
		assert.equal(report[0].campaignId, campaignId, 'Get reports the handed-off campaign');
		assert.equal(report[0].counts.queued, RECIPIENTS, 'Get counts every receiver queued');
		return `200 recipients handed to the container as campaign ${campaignId} in one request; execution took ${elapsed} s (n8n execute, start-up included)`;
	} catch (error) {
		if (error instanceof assert.AssertionError) throw new CaseFailure(error.message, [execution.logFile]);
		throw error;
	}
}

module.exports = { campaignCase };
