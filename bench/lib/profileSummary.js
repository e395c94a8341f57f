'use strict';
/** Groups the self time of a V8 CPU profile (written with --cpu-prof) by where the code lives, per message. */
const fs = require('node:fs');

const GROUPS = [
	['our node code (dist/nodes: planning, delivery engine, channel)', (url) => url.includes('/dist/nodes/')],
	['n8n expressions and data proxy (n8n-workflow, tournament, luxon)', (url) => /n8n-workflow|tournament|luxon|jmespath|lodash/.test(url)],
	[
		'n8n request helper (n8n-core request helpers, axios, follow-redirects, proxy)',
		(url) => /axios|follow-redirects|proxy-from-env|http-proxy|form-data|request-helper/.test(url),
	],
	['n8n-core, other (WorkflowExecute, contexts)', (url) => url.includes('n8n-core')],
	['ioredis', (url) => url.includes('ioredis') || url.includes('redis-parser')],
	['test harness (credential applied per request, as n8n does)', (url) => url.includes('/test/harness/')],
	['Node.js http/net/timers (JS)', (url) => url.startsWith('node:')],
];

/** Is this frame WhatsApp Send's per-item planner (nodes/WhatsAppSend/actions/message/Message.resource.ts), or n8n's parameter reading? */
const isPlanItem = ({ functionName, url }) => functionName === 'planItem' && url.includes('/dist/nodes/WhatsAppSend/');
const isGetNodeParameter = ({ functionName }) => functionName.endsWith('getNodeParameter');

function summarise(file, messages) {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parentOf = new Map();
	for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
	const groups = new Map();
	let busy = 0;
	const planning = { total: 0, n8nParameters: 0 };
	profile.samples.forEach((id, index) => {
		const { url, functionName } = byId.get(id).callFrame;
		const micros = profile.timeDeltas[index] ?? 0;
		if (functionName === '(idle)') return;
		busy += micros;
		const group =
			GROUPS.find(([, test]) => test(url))?.[0] ??
			(functionName === '(garbage collector)' ? 'garbage collector' : 'native (sockets, syscalls, microtasks)');
		groups.set(group, (groups.get(group) ?? 0) + micros);
		// Planning an item: time under planItem; of it, n8n's getNodeParameter (expression evaluation, copies, checks).
		let inN8n = false;
		for (let frame = id; frame !== undefined; frame = parentOf.get(frame)) {
			const callFrame = byId.get(frame).callFrame;
			if (isGetNodeParameter(callFrame)) inN8n = true;
			if (isPlanItem(callFrame)) {
				planning.total += micros;
				if (inN8n) planning.n8nParameters += micros;
				break;
			}
		}
	});
	const perMessage = (micros) => micros / 1000 / messages;
	const rows = [...groups].sort((a, b) => b[1] - a[1]).map(([group, micros]) => [group, perMessage(micros).toFixed(3)]);
	return {
		busyMsPerMessage: perMessage(busy),
		rows,
		planning: {
			msPerItem: perMessage(planning.total),
			n8nParametersMsPerItem: perMessage(planning.n8nParameters),
			ownMsPerItem: perMessage(planning.total - planning.n8nParameters),
		},
	};
}

module.exports = { summarise };
