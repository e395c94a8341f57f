'use strict';
/**
 * The load case (issue 11), against a running `n8n start` on SQLite whose workflows trigger-load.json (WhatsApp
 * Trigger → No Op) and webhook-load-baseline.json (n8n's own Webhook node → No Op) are active. 2,000 distinct
 * signed Meta deliveries go to the trigger at 20 concurrent requests; every delivery not answered 2xx is sent
 * again, as Meta does, until it is. So that this path is taken whatever the machine's speed, n8n fails to store
 * about one in ten of the trigger workflow's executions (a SQLite trigger refuses the insert, as a locked database
 * does). Asserted: the executions equal the deliveries answered 2xx, and each event has exactly one execution
 * (read from n8n's database). The same load on the built-in Webhook node is printed beside it as the baseline
 * (not re-sent, no refused stores: it shows what n8n itself starts).
 */
const assert = require('node:assert/strict');
const path = require('node:path');
const { readExecutions } = require('./triggerCase');
const {
	MAX_ATTEMPTS,
	signedMetaDeliveries,
	post,
	sendAll,
	settledExecutions,
	startItems,
	countBy,
	describeCounts,
	exactlyOnce,
} = require('./deliveries');

const EVENTS = Number(process.env.E2E_LOAD_EVENTS ?? 2000);
const CONCURRENCY = 20;

/** One in this many inserts of the trigger workflow's executions is refused. */
const REFUSE_ONE_IN = 10;

/**
 * Makes n8n's database refuse about one in `oneIn` new executions of the workflow (BEFORE INSERT trigger), the
 * fault n8n meets when SQLite is locked: n8n cannot store the execution and must not answer 2xx.
 */
function refuseSomeExecutionStores(host, databaseFile, workflowId, oneIn) {
	const sqlite3 = require(path.join(host, 'node_modules', 'sqlite3'));
	return new Promise((resolve, reject) => {
		const db = new sqlite3.Database(databaseFile, (openError) => {
			if (openError) return reject(openError);
			db.configure('busyTimeout', 30_000);
			db.run(
				`CREATE TRIGGER IF NOT EXISTS e2e_refuse_execution_store BEFORE INSERT ON execution_entity
				 WHEN NEW.workflowId = '${workflowId}' AND abs(random()) % ${oneIn} = 0
				 BEGIN SELECT RAISE(ABORT, 'e2e: the database refused to store this execution'); END`,
				(error) => db.close(() => (error ? reject(error) : resolve())),
			);
		});
	});
}

const perSecond = (count, since) => ((count / (Date.now() - since)) * 1000).toFixed(0);

async function loadCase({ baseUrl, triggerWorkflow, baselineWorkflow, credential, databaseFile, host, say }) {
	const since = Date.now();
	const trigger = triggerWorkflow.nodes.find((node) => node.type.endsWith('.whatsAppTrigger'));
	const triggerUrl = `${baseUrl}/webhook/${trigger.webhookId}/webhook`;
	const deliveries = signedMetaDeliveries({ count: EVENTS, credential, prefix: 'E2ELOAD' });
	const executionsOf = (workflowId) => (options) => readExecutions(host, databaseFile, workflowId, options);

	await refuseSomeExecutionStores(host, databaseFile, triggerWorkflow.id, REFUSE_ONE_IN);
	const triggerStart = Date.now();
	const sent = await sendAll(deliveries, (delivery) => post(triggerUrl, delivery.raw, delivery.headers), {
		concurrency: CONCURRENCY,
		resend: true,
	});
	const triggerRate = perSecond(EVENTS, triggerStart);
	const rows = await settledExecutions(executionsOf(triggerWorkflow.id), EVENTS);

	const baselineStart = Date.now();
	const baselineUrl = `${baseUrl}/webhook/${baselineWorkflow.nodes[0].parameters.path}`;
	const baseline = await sendAll(
		Array.from({ length: EVENTS }, (_unused, index) => JSON.stringify({ id: index })),
		(body) => post(baselineUrl, body),
		{ concurrency: CONCURRENCY, resend: false },
	);
	const baselineRate = perSecond(EVENTS, baselineStart);
	const baselineRows = await settledExecutions(executionsOf(baselineWorkflow.id), baseline.accepted.length);

	const { twice, missing } = exactlyOnce(
		deliveries.map((delivery) => delivery.messageId),
		rows.flatMap((row) => startItems(row, trigger.name).map((item) => item.json.messageId)),
	);
	const duplicateAnswers = sent.accepted.filter((job) => job.answer.body !== '{"received":1}');
	say(
		`load: WhatsApp Trigger ${EVENTS} events × ${CONCURRENCY} concurrent: ${sent.accepted.length} answered 2xx after ${sent.sent} requests ` +
			`(not 2xx, re-sent: ${describeCounts([...sent.notAccepted])}), ${rows.length} executions (${describeCounts(countBy(rows.map((row) => row.status)))}), ${triggerRate} events/s`,
	);
	say(
		`load: baseline n8n Webhook node ${EVENTS} requests × ${CONCURRENCY} concurrent: ${baseline.accepted.length} answered 2xx ` +
			`(not 2xx: ${describeCounts([...baseline.notAccepted])}), ${baselineRows.length} executions (${describeCounts(countBy(baselineRows.map((row) => row.status)))}), ${baselineRate} requests/s`,
	);

	assert.ok(sent.notAccepted.size > 0, 'no delivery was answered otherwise than 2xx although n8n refused to store some executions');
	assert.equal(sent.gaveUp.length, 0, `${sent.gaveUp.length} deliveries were still not answered 2xx after ${MAX_ATTEMPTS} attempts`);
	assert.equal(
		duplicateAnswers.length,
		0,
		`${duplicateAnswers.length} deliveries were answered 2xx without starting their event (e.g. ${duplicateAnswers[0]?.answer.body}): a failed hand-over was taken for a duplicate`,
	);
	assert.equal(
		rows.length,
		sent.accepted.length,
		`executions of the trigger workflow: ${rows.length}, deliveries answered 2xx: ${sent.accepted.length}`,
	);
	assert.deepEqual(missing, [], `${missing.length} events answered 2xx have no execution`);
	assert.deepEqual(twice, [], `${twice.length} events have more than one execution`);
	return `${EVENTS} events, each exactly one execution; trigger ${triggerRate} events/s, baseline ${baselineRate} requests/s; ${((Date.now() - since) / 1000).toFixed(1)} s`;
}

module.exports = { loadCase };
