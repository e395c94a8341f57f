'use strict';
/**
 * The queue case: quota and campaign ledger hold across n8n queue-mode workers (lib/queueTopology.js: n8n start,
 * webhook processors and two `n8n worker --concurrency=2` on Postgres and a private Redis).
 *
 * The workflow queue/segment-webhook.json (Webhook → Code with 150 recipients from the body's offset → WhatsApp
 * Send on Lite with the WhatsApp Redis credential, Delivery { campaignId from the body, dailyQuota 300 (on Lite: the
 * workflow's cap), Send From n8n }) is posted to 4 times at once: 4 jobs for 4 pollers (2 per worker), so both
 * workers run executions at the same time.
 *
 * Wave 1: exactly 300 messages reach the fake Lite container, 300 items are skipped with "daily quota reached",
 * the executions ran on both workers (their own logs, "Worker started execution N") and both sent.
 * Wave 2: the same 4 bodies (same campaign, same recipients) again: nothing new reaches the fake; the 300 sent
 * before are skipped as "already sent in this campaign" (the ledger in Redis), the others by the quota.
 */
const assert = require('node:assert/strict');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { sleep } = require('./processes');
const { FINISHED, logText } = require('./queueTopology');
const { redisCommand } = require('./redisServer');

const WORKFLOW = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'queue', 'segment-webhook.json'), 'utf8'));
const LITE_API_KEY = 'e2e-lite-api-key-not-a-secret';
const SUIT_ID = 'suit-e2e-queue';
const QUOTA = 300;
const PER_EXECUTION = 150;
const OFFSETS = [0, 1000, 2000, 3000];

/** The queue case's Lite credential (pointing at the fake Lite container) for the topology's import. */
const liteCredential = (fake) => ({
	id: 'e2eLiteCred00001',
	name: 'WhatsApp Lite (e2e fake container)',
	type: 'whatsAppLiteApi',
	data: { url: fake.url, apiKey: LITE_API_KEY, suitId: SUIT_ID, webhookSecret: 'e2e-lite-webhook-secret' },
});

/** Execution IDs a worker logged as started ("Worker started execution N (job M)"). */
function startedBy(file) {
	return [...logText(file).matchAll(/Worker started execution (\d+) \(job/g)].map((match) => match[1]);
}

/** `fake`: the fake Lite container (its own quota lifted); `keyPrefix`: the WhatsApp Redis credential's. */
async function queueCase({ topology, fake, keyPrefix, CaseFailure }) {
	const { baseUrl, readExecutions: readOf, anyExited, until, workers, redisPort } = topology;
	const workflow = WORKFLOW;
	const readExecutions = () => readOf(workflow.id);
	const allLogs = topology.logs;
	const campaign = `e2e-queue-${randomBytes(4).toString('hex')}`;
	const sendsAtFake = () => fake.requests.filter((request) => request.method === 'POST' && request.path === '/api/send-message');

	/** Posts the 4 bodies at once; waits until `expected` executions of the workflow have finished. */
	const wave = async (number, expected) => {
		const answers = await Promise.all(
			OFFSETS.map((offset) =>
				fetch(`${baseUrl}/webhook/e2e-queue-segment`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ wave: number, offset, campaign }),
				}).then(async (response) => ({ status: response.status, body: await response.text() })),
			),
		);
		const refused = answers.find((answer) => answer.status !== 200);
		if (refused) throw new CaseFailure(`wave ${number}: the webhook answered ${refused.status}: ${refused.body.slice(0, 300)}`, allLogs());
		const rows = await until(
			`${expected} finished executions (wave ${number}) in n8n's Postgres database`,
			async () => {
				anyExited();
				const found = await readExecutions();
				return found.length >= expected && found.every((row) => FINISHED.has(row.status) && row.data) ? found : undefined;
			},
			60_000,
		);
		const mine = rows.filter((row) => row.data.resultData.runData.Webhook?.[0]?.data?.main?.[0]?.[0]?.json?.body?.wave === number);
		const failed = mine.find((row) => row.status !== 'success');
		if (failed) {
			const error = failed.data.resultData?.error;
			const where = error?.node?.name ? ` in node "${error.node.name}"` : '';
			throw new CaseFailure(
				`wave ${number}: execution ${failed.id} ended with status ${failed.status}${where}: ${error?.message ?? '(no error recorded)'}${error?.description ? ` — ${error.description}` : ''}`,
				allLogs(),
			);
		}
		if (mine.length !== OFFSETS.length)
			throw new CaseFailure(`wave ${number}: ${mine.length} executions, expected ${OFFSETS.length}`, allLogs());
		return mine.map((row) => ({
			id: row.id,
			mode: row.mode,
			items: row.data.resultData.runData['WhatsApp Send'][0].data.main[0].map((item) => item.json),
		}));
	};

	// Which worker ran which execution, from the workers' own logs.
	const ranOn = (executions) => {
		const byWorker = workers.map((worker) => ({
			worker: worker.name,
			ids: startedBy(worker.log).filter((id) => executions.some((execution) => execution.id === id)),
		}));
		for (const execution of executions) {
			const on = byWorker.filter((entry) => entry.ids.includes(execution.id));
			assert.equal(
				on.length,
				1,
				`execution ${execution.id} was started by ${on.length} workers (${on.map((entry) => entry.worker).join(', ') || 'none'}), expected exactly 1`,
			);
		}
		return byWorker.map((entry) => ({
			...entry,
			sent: executions
				.filter((execution) => entry.ids.includes(execution.id))
				.reduce((sum, execution) => sum + execution.items.filter((item) => item.status === 'accepted').length, 0),
		}));
	};
	const describe = (byWorker) =>
		byWorker
			.map((entry) => `${entry.worker.replace('n8n-queue-', '')}: executions ${entry.ids.join('+') || 'none'} sent ${entry.sent}`)
			.join('; ');

	let since;
	try {
		// --- wave 1: 4 × 150 against a quota of 300 ------------------------------------------------------
		since = Date.now();
		const first = await wave(1, OFFSETS.length);
		const firstSeconds = ((Date.now() - since) / 1000).toFixed(1);
		const items = first.flatMap((execution) => execution.items);
		assert.equal(items.length, OFFSETS.length * PER_EXECUTION, 'result items of WhatsApp Send over the 4 executions');
		const sends = sendsAtFake();
		assert.equal(sends.length, QUOTA, `send requests that reached the fake Lite container: ${sends.length}, expected exactly ${QUOTA}`);
		assert.equal(fake.sent.length, QUOTA, 'messages the fake accepted');
		assert.equal(new Set(fake.sent.map((message) => message.number)).size, QUOTA, 'distinct recipients at the fake');
		assert.ok(
			sends.every((request) => !('x-quota-reserved' in request.headers)),
			'no send asked the container to skip its own quota count (x-quota-reserved)',
		);
		const accepted = items.filter((item) => item.status === 'accepted');
		const skipped = items.filter((item) => item.status === 'skipped');
		assert.equal(accepted.length, QUOTA, `items with status accepted: ${accepted.length}`);
		assert.equal(skipped.length, OFFSETS.length * PER_EXECUTION - QUOTA, `items with status skipped: ${skipped.length}`);
		const quotaReason = /^daily quota reached \(300\/300\); resets at (\d{4})-(\d\d)-(\d\d)T00:00:00\.000Z$/;
		const offReason = skipped.find((item) => !quotaReason.test(String(item.reason)));
		assert.ok(!offReason, `a skipped item without "daily quota reached (300/300)": ${JSON.stringify(offReason)}`);
		const sentRecipients = new Set(accepted.map((item) => item.to));
		assert.equal(sentRecipients.size, QUOTA, 'distinct accepted recipients');
		assert.deepEqual(
			[...sentRecipients].sort(),
			fake.sent.map((message) => String(message.number)).sort(),
			'the accepted items are exactly the recipients the fake got',
		);

		// The counter in Redis: the day before the reset time.
		const reset = new Date(String(skipped[0].reason).match(/resets at (\S+)$/)[1]);
		const day = new Date(reset.getTime() - 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
		// On Lite the node's Daily Quota is a cap per workflow (the container keeps the suit's own quota).
		const capKey = `${keyPrefix}wa_automator:cap:lite:${SUIT_ID}:${workflow.id}:${day}`;
		const counter = await redisCommand(redisPort, 'GET', capKey);
		assert.equal(counter, String(QUOTA), `the workflow's daily cap counter in Redis (${capKey})`);

		const byWorker1 = ranOn(first);
		assert.ok(
			byWorker1.every((entry) => entry.ids.length > 0),
			`the 4 executions did not spread over both workers: ${describe(byWorker1)}`,
		);
		assert.ok(
			byWorker1.every((entry) => entry.sent > 0),
			`not every worker sent: ${describe(byWorker1)}`,
		);
		assert.ok(
			first.every((execution) => execution.mode === 'webhook'),
			'execution mode webhook',
		);

		// --- wave 2: the same campaign and recipients again --------------------------------------------------
		since = Date.now();
		const second = await wave(2, 2 * OFFSETS.length);
		const secondSeconds = ((Date.now() - since) / 1000).toFixed(1);
		await sleep(300);
		assert.equal(sendsAtFake().length, QUOTA, `wave 2 reached the fake with ${sendsAtFake().length - QUOTA} new sends, expected none`);
		const again = second.flatMap((execution) => execution.items);
		assert.equal(again.length, OFFSETS.length * PER_EXECUTION, 'result items of wave 2');
		assert.equal(
			again.filter((item) => item.status !== 'skipped').length,
			0,
			`wave 2 items not skipped: ${JSON.stringify(again.find((item) => item.status !== 'skipped'))}`,
		);
		const ledgerSkipped = again.filter((item) => /^already sent in this campaign \(message true_/.test(String(item.reason)));
		assert.equal(ledgerSkipped.length, QUOTA, `wave 2 items skipped as "already sent in this campaign": ${ledgerSkipped.length}`);
		assert.deepEqual(
			ledgerSkipped.map((item) => item.to).sort(),
			[...sentRecipients].sort(),
			'the ledger skipped exactly the recipients sent in wave 1',
		);
		const quotaSkipped = again.filter((item) => quotaReason.test(String(item.reason)));
		assert.equal(quotaSkipped.length, OFFSETS.length * PER_EXECUTION - QUOTA, 'wave 2 items skipped by the quota (not sent in wave 1)');
		const byWorker2 = ranOn(second);

		return (
			`wave 1 (${firstSeconds} s): ${sends.length} sent, ${skipped.length} skipped "daily quota reached", Redis counter ${counter} — ${describe(byWorker1)}; ` +
			`wave 2 (${secondSeconds} s), same campaign: 0 sent, ${ledgerSkipped.length} "already sent in this campaign", ${quotaSkipped.length} quota — ${describe(byWorker2)}`
		);
	} catch (error) {
		if (error instanceof assert.AssertionError) throw new CaseFailure(error.message, allLogs());
		throw error;
	}
}

module.exports = { queueCase, liteCredential, QUEUE_SEGMENT_WORKFLOW: WORKFLOW, LITE_API_KEY };
