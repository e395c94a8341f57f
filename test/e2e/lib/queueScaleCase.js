'use strict';
/**
 * Queue mode at scale (lib/queueTopology.js with 2 webhook processors and 2 workers), two cases:
 *
 * - triggerThroughProcessors: 2,000 signed Meta deliveries at 20 concurrent requests, spread over both webhook
 *   processors (`n8n webhook`), into queue/trigger-load.json (WhatsApp Trigger with its de-duplication in the shared
 *   Redis → No Op); a delivery not answered 2xx is sent again, as Meta does. Asserted from n8n's Postgres database:
 *   executions == deliveries answered 2xx, each event exactly one execution, both processors answered and both
 *   workers ran executions. The same load on n8n's Webhook node (queue/webhook-load-baseline.json) in the same
 *   topology is printed beside it, events/s against events/s.
 * - cloudSegmentAtScale: queue/cloud-segment.json (Webhook → Code with 2,500 recipients → WhatsApp Send on the Cloud
 *   API at 1,000 messages/s with a daily quota of 10,000, pace and quota in the shared Redis) posted 4 times at once:
 *   4 executions on the workers' 4 job slots send 10,000 messages to the fake Graph API, whose limit is the rate
 *   (sliding one-second window, 130429 beyond it). Asserted: every recipient accepted exactly once, every item
 *   accepted, the quota counter in Redis at 10,000, both workers sent. Printed, not asserted (a timed assertion
 *   on a shared machine would be flaky): the rate at the fake against 1,000/s and the 130429 answers.
 */
const assert = require('node:assert/strict');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { FINISHED, logText } = require('./queueTopology');
const { redisCommand } = require('./redisServer');
const {
	signedMetaDeliveries,
	post,
	sendAll,
	settledExecutions,
	startItems,
	countBy,
	describeCounts,
	exactlyOnce,
	MAX_ATTEMPTS,
} = require('./deliveries');

const readQueueWorkflow = (file) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'queue', file), 'utf8'));
const TRIGGER_WORKFLOW = readQueueWorkflow('trigger-load.json');
const BASELINE_WORKFLOW = readQueueWorkflow('webhook-load-baseline.json');
const SEGMENT_WORKFLOW = readQueueWorkflow('cloud-segment.json');
const SCALE_WORKFLOWS = [TRIGGER_WORKFLOW, BASELINE_WORKFLOW, SEGMENT_WORKFLOW];
const SCALE_WEBHOOK_PATHS = [
	`${TRIGGER_WORKFLOW.nodes[0].webhookId}/webhook`,
	BASELINE_WORKFLOW.nodes[0].parameters.path,
	SEGMENT_WORKFLOW.nodes[0].parameters.path,
];

const EVENTS = Number(process.env.E2E_QUEUE_LOAD_EVENTS ?? 2000);
const CONCURRENCY = 20;
const SEGMENT = { executions: 4, perExecution: 2500, rate: 1000 };

/** The Cloud API credential of the scale cases (the trigger's app secret, the fake Graph API for the segment). */
const cloudCredential = (graph) => ({
	id: 'e2eQueueCloud001',
	name: 'WhatsApp Cloud API (e2e queue, fake Graph API)',
	type: 'whatsAppCloudApi',
	data: {
		accessToken: graph.options.accessToken,
		phoneNumberId: graph.options.phoneNumberId,
		businessAccountId: '102290129340398',
		apiVersion: 'v23.0',
		appSecret: 'e2e-queue-app-secret',
		verifyToken: 'e2e-queue-verify-token',
		baseUrl: graph.url,
	},
});

const perSecond = (count, ms) => (count / ms) * 1000;

/** Which worker logged starting each of these executions ("Worker started execution N (job M)"). */
function executionsPerWorker(workers, ids) {
	const wanted = new Set(ids);
	return workers.map((worker) => ({
		name: worker.name.replace('n8n-queue-', ''),
		ids: [...logText(worker.log).matchAll(/Worker started execution (\d+) \(job/g)].map((match) => match[1]).filter((id) => wanted.has(id)),
	}));
}

/** Sends `requests` round-robin over the webhook processors; counts the 2xx answers each processor gave. */
async function throughProcessors(urls, requests, { resend }) {
	const answeredBy = urls.map(() => 0);
	const since = Date.now();
	const outcome = await sendAll(
		requests.map((request, index) => ({ ...request, processor: index % urls.length })),
		async (request) => {
			const response = await request.send(urls[request.processor]);
			if (response.status < 300) answeredBy[request.processor]++;
			return response;
		},
		{ concurrency: CONCURRENCY, resend },
	);
	return { ...outcome, ms: Date.now() - since, answeredBy };
}

async function triggerThroughProcessors({ topology, credential, say }) {
	const { webhookUrls, readExecutions, workers } = topology;
	const deliveries = signedMetaDeliveries({ count: EVENTS, credential: credential.data, prefix: 'E2EQUEUE' });
	const triggerPath = `/webhook/${TRIGGER_WORKFLOW.nodes[0].webhookId}/webhook`;
	const trigger = await throughProcessors(
		webhookUrls,
		deliveries.map((delivery) => ({
			key: delivery.messageId,
			send: (url) => post(`${url}${triggerPath}`, delivery.raw, delivery.headers),
		})),
		{ resend: true },
	);
	const rows = await settledExecutions((options) => readExecutions(TRIGGER_WORKFLOW.id, options), trigger.accepted.length);

	const baselinePath = `/webhook/${BASELINE_WORKFLOW.nodes[0].parameters.path}`;
	const baseline = await throughProcessors(
		webhookUrls,
		Array.from({ length: EVENTS }, (_unused, index) => ({ send: (url) => post(`${url}${baselinePath}`, JSON.stringify({ index })) })),
		{ resend: false },
	);
	const baselineRows = await settledExecutions((options) => readExecutions(BASELINE_WORKFLOW.id, options), baseline.accepted.length);

	const triggerRate = perSecond(trigger.accepted.length, trigger.ms);
	const baselineRate = perSecond(baseline.accepted.length, baseline.ms);
	const { twice, missing } = exactlyOnce(
		deliveries.map((delivery) => delivery.messageId),
		rows.flatMap((row) => startItems(row, TRIGGER_WORKFLOW.nodes[0].name).map((item) => item.json.messageId)),
	);
	const perWorker = executionsPerWorker(
		workers,
		rows.map((row) => row.id),
	);
	const describe = (outcome, executions) =>
		`${outcome.accepted.length} answered 2xx after ${outcome.sent} requests (not 2xx: ${describeCounts([...outcome.notAccepted])}; ` +
		`2xx per processor ${outcome.answeredBy.join(' + ')}), ${executions.length} executions (${describeCounts(countBy(executions.map((row) => row.status)))})`;
	say(
		`queue-load: WhatsApp Trigger ${EVENTS} events × ${CONCURRENCY} concurrent over 2 webhook processors: ${describe(trigger, rows)}, ${triggerRate.toFixed(0)} events/s; executions per worker ${perWorker.map((worker) => `${worker.name} ${worker.ids.length}`).join(', ')}`,
	);
	say(`queue-load: baseline n8n Webhook node, same topology: ${describe(baseline, baselineRows)}, ${baselineRate.toFixed(0)} requests/s`);

	assert.equal(trigger.gaveUp.length, 0, `${trigger.gaveUp.length} deliveries were still not answered 2xx after ${MAX_ATTEMPTS} attempts`);
	const notStarted = trigger.accepted.filter((job) => job.answer.body !== '{"received":1}');
	assert.equal(
		notStarted.length,
		0,
		`${notStarted.length} deliveries answered 2xx without starting their event (e.g. ${notStarted[0]?.answer.body})`,
	);
	assert.equal(
		rows.length,
		trigger.accepted.length,
		`executions of the trigger workflow: ${rows.length}, deliveries answered 2xx: ${trigger.accepted.length}`,
	);
	assert.deepEqual(missing, [], `${missing.length} events answered 2xx have no execution`);
	assert.deepEqual(twice, [], `${twice.length} events have more than one execution`);
	assert.ok(
		rows.every((row) => row.status === 'success'),
		`trigger executions not successful: ${describeCounts(countBy(rows.map((row) => row.status)))}`,
	);
	assert.ok(
		trigger.answeredBy.every((count) => count > 0),
		`not every webhook processor answered 2xx: ${trigger.answeredBy.join(' + ')}`,
	);
	assert.ok(
		perWorker.every((worker) => worker.ids.length > 0),
		`not every worker ran trigger executions: ${perWorker.map((worker) => `${worker.name} ${worker.ids.length}`).join(', ')}`,
	);
	return `${EVENTS} events, each exactly one execution; trigger ${triggerRate.toFixed(0)} events/s, n8n Webhook node ${baselineRate.toFixed(0)} requests/s (ratio ${(triggerRate / baselineRate).toFixed(2)})`;
}

/**
 * The fake's sends since `acceptedBefore`/`since`: how many arrived, how many were accepted and answered 130429, and
 * the accepted rate between the first and the last arrival.
 */
function atTheFake(graph, since, acceptedBefore) {
	const arrivals = graph.requests
		.filter((request) => request.method === 'POST' && request.path.endsWith('/messages') && request.at >= since)
		.map((request) => request.at)
		.sort((a, b) => a - b);
	const accepted = graph.accepted.length - acceptedBefore;
	const spanSeconds = (arrivals.at(-1) - arrivals[0]) / 1000;
	return { sends: arrivals.length, accepted, throttled: arrivals.length - accepted, rate: (accepted - 1) / spanSeconds };
}

async function cloudSegmentAtScale({ topology, graph, keyPrefix, CaseFailure, say }) {
	const { webhookUrls, readExecutions, workers, redisPort, anyExited, until } = topology;
	graph.options.messagesPerSecond = SEGMENT.rate;
	const acceptedBefore = graph.accepted.length;
	const since = Date.now();
	const campaign = `e2e-queue-cloud-${randomBytes(4).toString('hex')}`;
	const segmentPath = `/webhook/${SEGMENT_WORKFLOW.nodes[0].parameters.path}`;
	const answers = await Promise.all(
		Array.from({ length: SEGMENT.executions }, (_unused, index) =>
			post(
				`${webhookUrls[index % webhookUrls.length]}${segmentPath}`,
				JSON.stringify({ offset: index * SEGMENT.perExecution, count: SEGMENT.perExecution, campaign }),
			).then(async (response) => ({ status: response.status, body: await response.text() })),
		),
	);
	const refused = answers.find((answer) => answer.status !== 200);
	if (refused) throw new CaseFailure(`the segment webhook answered ${refused.status}: ${refused.body.slice(0, 300)}`, topology.logs());
	const rows = await until(
		`${SEGMENT.executions} finished segment executions in n8n's Postgres database`,
		async () => {
			anyExited();
			const found = await readExecutions(SEGMENT_WORKFLOW.id);
			return found.length >= SEGMENT.executions && found.every((row) => FINISHED.has(row.status) && row.data) ? found : undefined;
		},
		240_000,
	);
	const seconds = (Date.now() - since) / 1000;
	const failed = rows.find((row) => row.status !== 'success');
	if (failed) {
		const error = failed.data.resultData?.error;
		throw new CaseFailure(
			`segment execution ${failed.id} ended with status ${failed.status}: ${error?.message ?? '(no error recorded)'}${error?.description ? ` — ${error.description}` : ''}`,
			topology.logs(),
		);
	}
	const items = rows.flatMap((row) => row.data.resultData.runData['WhatsApp Send'][0].data.main[0].map((item) => item.json));
	const accepted = graph.accepted.slice(acceptedBefore);
	const fake = atTheFake(graph, since, acceptedBefore);
	const perRecipient = countBy(accepted.map((sent) => sent.to));
	const twice = perRecipient.filter(([, count]) => count > 1);
	// The sender's daily count (contract/quota.ts), on the UTC day the segment started.
	const quotaKey = `${keyPrefix}uo_whatsapp:${graph.options.phoneNumberId}:${new Date(since).toISOString().slice(0, 10).replaceAll('-', '')}`;
	const counted = await redisCommand(redisPort, 'GET', quotaKey);
	const perWorker = executionsPerWorker(
		workers,
		rows.map((row) => row.id),
	).map((worker) => ({
		...worker,
		sent: rows
			.filter((row) => worker.ids.includes(row.id))
			.reduce(
				(sum, row) =>
					sum + row.data.resultData.runData['WhatsApp Send'][0].data.main[0].filter((item) => item.json.status === 'accepted').length,
				0,
			),
	}));
	const total = SEGMENT.executions * SEGMENT.perExecution;
	const ratio = fake.rate / SEGMENT.rate;
	const check = ratio >= 0.95 && fake.throttled === 0 && twice.length === 0 && perRecipient.length === total ? 'ok' : 'MISSED';
	say(
		`queue-segment: ${total} recipients at ${SEGMENT.rate}/s over ${SEGMENT.executions} executions in ${seconds.toFixed(1)} s: at the fake ${fake.rate.toFixed(0)} msg/s (ratio ${ratio.toFixed(3)}), ` +
			`${fake.throttled} × 130429, ${perRecipient.length} recipients accepted, ${twice.length} twice; ${perWorker.map((worker) => `${worker.name}: executions ${worker.ids.join('+') || 'none'} sent ${worker.sent}`).join('; ')}; check ${check} (ratio@fake >= 0.95, zero 130429, everyone once)`,
	);

	assert.equal(items.length, total, `result items of WhatsApp Send over the ${SEGMENT.executions} executions`);
	const notAccepted = items.filter((item) => item.status !== 'accepted');
	assert.equal(notAccepted.length, 0, `${notAccepted.length} items not accepted, e.g. ${JSON.stringify(notAccepted[0])}`);
	assert.deepEqual(twice, [], `${twice.length} recipients were accepted more than once`);
	assert.equal(perRecipient.length, total, `distinct recipients accepted by the fake: ${perRecipient.length}, expected ${total}`);
	assert.equal(counted, String(total), `the daily quota counter in Redis (${quotaKey})`);
	assert.ok(
		perWorker.every((worker) => worker.sent > 0),
		`not every worker sent: ${perWorker.map((worker) => `${worker.name} ${worker.sent}`).join(', ')}`,
	);
	return `${total} recipients, each accepted exactly once; at the fake ${fake.rate.toFixed(0)}/s of ${SEGMENT.rate}/s (ratio ${ratio.toFixed(3)}), ${fake.throttled} × 130429; ${check}`;
}

module.exports = { triggerThroughProcessors, cloudSegmentAtScale, cloudCredential, SCALE_WORKFLOWS, SCALE_WEBHOOK_PATHS };
