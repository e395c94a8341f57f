'use strict';
/**
 * Where the trigger process's CPU goes, from a V8 CPU profile of a measured run of
 * bench/trigger-events.js: each sample is the node's when a frame of dist/nodes/ is on its stack (split by the
 * step it is in), else n8n's, the harness's or Node's by the code it is in.
 */
const fs = require('node:fs');

const NODE_CODE = '/dist/nodes/';

/** The node's steps, by a function on the stack (the innermost match wins). */
const NODE_STEPS = [
	['node: signature check (HMAC of the raw body)', ({ functionName }) => /^verify(Meta|Lite)Signature$/.test(functionName)],
	['node: JSON parse of the raw body', ({ functionName, url }) => functionName === 'parse' && url.endsWith('/inbound/receive.js')],
	['node: normalisation (inbound/normalise*)', ({ functionName }) => /^normalise(Cloud|Lite)$/.test(functionName)],
	['node: campaign reports', ({ functionName }) => functionName === 'recordDeliveryUpdates'],
	[
		'node: de-duplication claims (dedupe.ts, store)',
		({ functionName, url }) => /^(claimDelivery|confirmReceipt)$/.test(functionName) || url.includes(`${NODE_CODE}whatsapp/store/`),
	],
];
const N8N_CALL = 'node: n8n calls it makes (parameters, credentials, node copy)';
const NODE_OTHER = 'node: the rest (settings, filter, items, receipt)';

const OTHER_GROUPS = [
	['n8n-core: webhook context, execution (WorkflowExecute)', (url) => /n8n-core|n8n-workflow|@n8n\/|lodash/.test(url)],
	['harness: request reading, express-like answer', (url) => url.includes('/test/harness/') || url.includes('/bench/')],
	['ioredis', (url) => url.includes('ioredis') || url.includes('redis-parser')],
	['Node.js http/net/streams (JS)', (url) => url.startsWith('node:')],
];
const isN8nOrHarness = (url) => /n8n-core|n8n-workflow|@n8n\/|lodash|\/test\/harness\//.test(url);

/** The group of one sample, from its stack (innermost frame first). */
function groupOf(stack) {
	const nodeFrame = stack.findIndex(({ url }) => url.includes(NODE_CODE));
	if (nodeFrame >= 0) {
		const step = stack.map((frame) => NODE_STEPS.find(([, test]) => test(frame))?.[0]).find(Boolean);
		if (step) return step;
		return stack.slice(0, nodeFrame).some(({ url }) => isN8nOrHarness(url)) ? N8N_CALL : NODE_OTHER;
	}
	const [leaf] = stack;
	if (leaf.functionName === '(garbage collector)') return 'garbage collector';
	if (!leaf.url) return 'native (socket writes, syscalls, microtasks)';
	return OTHER_GROUPS.find(([, test]) => test(leaf.url))?.[0] ?? 'other JavaScript';
}

/** The profile's busy time and its groups, in ms. */
function summariseTriggerProfile(file) {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parentOf = new Map();
	for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
	const groups = new Map();
	const stacks = new Map();
	let busy = 0;
	// The profiler's own work at the end (Profiler.stop through the inspector session) is not the trigger's.
	const isProfilerStop = (id) =>
		byId.get(id).callFrame.functionName === 'dispatch' && byId.get(parentOf.get(id))?.callFrame.url === 'node:inspector';
	profile.samples.forEach((id, index) => {
		if (byId.get(id).callFrame.functionName === '(idle)' || isProfilerStop(id)) return;
		const micros = profile.timeDeltas[index] ?? 0;
		busy += micros;
		if (!stacks.has(id)) {
			const stack = [];
			for (let frame = id; frame !== undefined; frame = parentOf.get(frame)) stack.push(byId.get(frame).callFrame);
			stacks.set(id, groupOf(stack));
		}
		const group = stacks.get(id);
		groups.set(group, (groups.get(group) ?? 0) + micros);
	});
	return { busyMs: busy / 1000, groups: new Map([...groups].map(([group, micros]) => [group, micros / 1000])) };
}

module.exports = { summariseTriggerProfile };
