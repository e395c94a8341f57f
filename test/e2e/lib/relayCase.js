'use strict';
/**
 * The relay case (issue 23), in the runner's `n8n start`: one Meta app, many workflows. The real Lite gateway
 * (lib/liteGateway.js) runs the Cloud webhook relay (RELAY_APPS); three workflows with a WhatsApp Trigger receiving
 * "Through the relay" registered themselves with it when n8n activated them:
 *   relay-all-messages.json   every message,
 *   relay-statuses.json       statuses only,
 *   relay-second-number.json  messages to the second phone number ID only.
 * Signed Meta deliveries (one event each: a message to the first number, a status, a message to the second, in
 * turn) go to the relay's callback; counted from n8n's database, each workflow executes exactly its events, once.
 * Then a load run at 20 concurrent deliveries during which the gateway is killed with kill -9 twice and restarted
 * (Meta's side sends each delivery until it gets a 2xx, as Meta does): every event that got a 2xx executes exactly
 * once in every workflow it matches. Then the statuses workflow is deactivated (n8n's REST API, as the editor
 * does): its registration is gone from the relay and its executions stop; the others go on. Last, side by side:
 * the same number of messages through the relay into one workflow and directly into relay-direct-baseline.json.
 */
const assert = require('node:assert/strict');
const { createHmac } = require('node:crypto');
const { requireTypeScriptFake } = require('./loadTypeScript');
const { sleep } = require('./processes');
const { readExecutions, until } = require('./triggerCase');

const { metaWebhookBody } = requireTypeScriptFake('metaWebhook.ts');

const FIRST_NUMBER = '106540352242922';
const SECOND_NUMBER = '106540352242999';
const CONCURRENCY = 20;
/** The load run's deliveries (E2E_RELAY_EVENTS; the 2,000 is a bench run, see bench/README.md). */
const LOAD_EVENTS = Number(process.env.E2E_RELAY_EVENTS ?? 300);
const BENCH_EVENTS = Number(process.env.E2E_RELAY_BENCH_EVENTS ?? 200);
const OWNER = { email: 'owner@example.com', password: 'E2e-owner-Passw0rd' };

/** Delivery `index` of a run: a message to the first number, a status on it, or a message to the second, in turn. */
function event(run, index) {
	const kind = ['first', 'status', 'second'][index % 3];
	const id = `wamid.E2ERELAY${run}${String(index).padStart(6, '0')}`;
	const timestamp = String(Math.floor(Date.now() / 1000));
	const value =
		kind === 'status'
			? { statuses: [{ id, status: 'delivered', timestamp, recipient_id: '4915123456789' }] }
			: {
					contacts: [{ profile: { name: 'Relay' }, wa_id: '4915123456789' }],
					messages: [{ from: '4915123456789', id, timestamp, type: 'text', text: { body: `relay ${run} ${index}` } }],
				};
	return {
		kind,
		key: `${kind === 'status' ? 'status' : 'message'}:${id}`,
		body: metaWebhookBody(value, kind === 'second' ? SECOND_NUMBER : FIRST_NUMBER),
	};
}

/** Which workflows an event is for. */
const WANTS = { all: ['first', 'second'], statuses: ['status'], second: ['second'] };

/**
 * Sends each delivery until it is answered 200 (as Meta does), `concurrency` at once; `afterAccepted(n)` runs after
 * the n-th 200 (the kills). Resolves with the requests made.
 */
async function sendAsMeta(url, appSecret, events, { concurrency = CONCURRENCY, afterAccepted = async () => undefined } = {}) {
	const queue = [...events];
	let accepted = 0;
	let requests = 0;
	const deadline = Date.now() + 300_000;
	const worker = async () => {
		while (queue.length) {
			const { body } = queue.shift();
			const raw = JSON.stringify(body);
			const signature = `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
			for (;;) {
				requests++;
				const status = await fetch(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
					body: raw,
				}).then(
					(response) => response.status,
					() => 0,
				);
				if (status === 200) break;
				assert.ok(Date.now() < deadline, `a delivery was not answered 200 within 5 minutes (last: ${status || 'no answer'})`);
				await sleep(300);
			}
			await afterAccepted(++accepted);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	return requests;
}

/** Event keys each workflow executed, from n8n's database, once none of its executions is new or running. */
async function executedKeys(host, databaseFile, workflow) {
	const rows = await readExecutions(host, databaseFile, workflow.id);
	if (rows.some((row) => ['new', 'running'].includes(row.status) || !row.data)) return undefined;
	const node = workflow.nodes.find((candidate) => candidate.type.endsWith('.whatsAppTrigger')).name;
	return rows.flatMap((row) =>
		(row.data.resultData?.runData?.[node]?.[0]?.data?.main?.[0] ?? []).map((item) => `${item.json.event}:${item.json.messageId}`),
	);
}

/** Keys not there exactly once, and keys that should not be there. */
function notExactlyOnce(expected, got) {
	const counts = got.reduce((map, key) => map.set(key, (map.get(key) ?? 0) + 1), new Map());
	return [
		...expected.filter((key) => counts.get(key) !== 1).map((key) => `${key} ×${counts.get(key) ?? 0}`),
		...[...counts.keys()].filter((key) => !expected.includes(key)).map((key) => `unexpected ${key}`),
	];
}

async function relayCase({ baseUrl, gateway, restartGateway, appName, appSecret, workflows, databaseFile, host, say }) {
	const since = Date.now();
	const callback = `${gateway.url}/meta/${appName}`;
	const triggerUrl = (workflow) =>
		`${baseUrl}/webhook/${workflow.nodes.find((node) => node.type.endsWith('.whatsAppTrigger')).webhookId}/webhook`;
	const registered = async () => (await gateway.call('GET', '/relay/subscribers')).subscribers.map((subscriber) => subscriber.url);
	const relayed = { all: workflows.all, statuses: workflows.statuses, second: workflows.second };
	await until(
		'the three relay triggers to register with the relay',
		async () => {
			const urls = await registered();
			return Object.values(relayed).every((workflow) => urls.includes(triggerUrl(workflow)));
		},
		60_000,
	);
	const sent = [];
	/** Waits until every workflow executed exactly what was sent for it (and the relay has nothing waiting). */
	const expectExactly = async (what, active = Object.keys(relayed)) => {
		const expected = Object.fromEntries(active.map((name) => [name, sent.filter((e) => WANTS[name].includes(e.kind)).map((e) => e.key)]));
		let got;
		await until(
			what,
			async () => {
				const backlog = (await gateway.call('GET', '/relay/subscribers')).subscribers.reduce((sum, s) => sum + s.backlog, 0);
				if (backlog > 0) return false;
				got = {};
				for (const name of active) {
					got[name] = await executedKeys(host, databaseFile, relayed[name]);
					if (!got[name] || got[name].length < expected[name].length) return false;
				}
				return true;
			},
			240_000,
		);
		for (const name of active)
			assert.deepEqual(notExactlyOnce(expected[name], got[name]), [], `${what}: ${name}'s events not executed exactly once`);
		return got;
	};

	// 1. Three workflows, each exactly its events.
	const first = Array.from({ length: 12 }, (_, index) => event('a', index));
	await sendAsMeta(callback, appSecret, first, { concurrency: 4 });
	sent.push(...first);
	await expectExactly('each workflow to execute its events');

	// 2. Load with kill -9 twice.
	const load = Array.from({ length: LOAD_EVENTS }, (_, index) => event('b', index));
	const kills = [Math.floor(LOAD_EVENTS / 3), Math.floor((2 * LOAD_EVENTS) / 3)];
	let killed = 0;
	const loadStart = Date.now();
	const requests = await sendAsMeta(callback, appSecret, load, {
		afterAccepted: async (count) => {
			if (!kills.includes(count)) return;
			killed++;
			await restartGateway();
		},
	});
	sent.push(...load);
	await expectExactly(`every event of the load run, once in each workflow it matches`);
	const loadSeconds = (Date.now() - loadStart) / 1000;
	assert.equal(killed, 2, 'kill -9 of the gateway during the load run');
	say(
		`relay: load ${LOAD_EVENTS} deliveries × ${CONCURRENCY} concurrent, gateway killed with kill -9 twice: ${requests} requests until each got a 200; every event executed exactly once per matching workflow after ${loadSeconds.toFixed(1)} s`,
	);

	// 3. Deactivating one workflow stops its deliveries; the others go on.
	const login = await fetch(`${baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
	});
	assert.equal(login.status, 200, `n8n login answered ${login.status}: ${(await login.text()).slice(0, 300)}`);
	const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
	const deactivate = await fetch(`${baseUrl}/rest/workflows/${workflows.statuses.id}/deactivate`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: '{}',
	});
	assert.equal(
		deactivate.status,
		200,
		`deactivating the statuses workflow answered ${deactivate.status}: ${(await deactivate.text()).slice(0, 300)}`,
	);
	await until(
		'the statuses workflow to unregister from the relay',
		async () => !(await registered()).includes(triggerUrl(workflows.statuses)),
		60_000,
	);
	const statusesBefore = await executedKeys(host, databaseFile, workflows.statuses);
	const after = Array.from({ length: 9 }, (_, index) => event('c', index));
	await sendAsMeta(callback, appSecret, after, { concurrency: 3 });
	sent.push(...after);
	await expectExactly('the remaining workflows to execute their events', ['all', 'second']);
	assert.deepEqual(
		await executedKeys(host, databaseFile, workflows.statuses),
		statusesBefore,
		'the deactivated workflow executed nothing more',
	);

	// 4. Side by side: messages through the relay into one workflow, and directly into another.
	const rate = async (url, workflow, run) => {
		const events = Array.from({ length: BENCH_EVENTS }, (_, index) => event(run, 3 * index)); // messages to the first number
		const before = (await executedKeys(host, databaseFile, workflow))?.length ?? 0;
		const start = Date.now();
		await sendAsMeta(url, appSecret, events);
		await until(
			`${BENCH_EVENTS} executions of ${workflow.name}`,
			async () => ((await executedKeys(host, databaseFile, workflow))?.length ?? 0) >= before + BENCH_EVENTS,
			240_000,
		);
		return BENCH_EVENTS / ((Date.now() - start) / 1000);
	};
	const throughRelay = await rate(callback, workflows.all, 'd');
	const direct = await rate(triggerUrl(workflows.direct), workflows.direct, 'e');
	say(
		`relay: ${BENCH_EVENTS} messages × ${CONCURRENCY} concurrent until executed: through the relay ${throughRelay.toFixed(1)} events/s, ` +
			`directly from Meta ${direct.toFixed(1)} events/s (ratio ${(throughRelay / direct).toFixed(2)})`,
	);
	return `3 workflows on one app, each exactly its events; ${LOAD_EVENTS} events with 2 kill -9, each once per matching workflow; deactivation stops one; relay ${throughRelay.toFixed(1)} vs direct ${direct.toFixed(1)} events/s; ${((Date.now() - since) / 1000).toFixed(1)} s`;
}

module.exports = { relayCase };
