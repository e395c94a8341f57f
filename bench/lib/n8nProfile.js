'use strict';
/**
 * Where an n8n process's main thread spent its time in given windows of a V8 CPU profile (written with --cpu-prof).
 * The windows are in microseconds of the monotonic clock (process.hrtime in another process on the same machine:
 * V8's profile timestamps use the same clock), so a bench can cut n8n's profile to its own rounds.
 */
const fs = require('node:fs');

const GROUPS = [
	['our nodes (dist/nodes of this package)', (url) => url.includes('n8n-nodes-whatsapp-automator/dist/')],
	['n8n expression isolates (@n8n/expression-runtime, isolated-vm)', (url) => /expression-runtime|isolated-vm/.test(url)],
	['n8n-workflow (expressions, data proxy, Workflow)', (url) => /\/n8n-workflow\/|tournament|luxon|jmespath|lodash/.test(url)],
	['n8n-core (WorkflowExecute, contexts)', (url) => url.includes('/n8n-core/')],
	['n8n database (typeorm, sqlite3, pg)', (url) => /typeorm|sqlite|\/pg\/|\/pg-/.test(url)],
	[
		'n8n server (express, body parsing, cors)',
		(url) => /\/express\/|body-parser|raw-body|\/router\/|finalhandler|\/cors\/|iconv|content-type/.test(url),
	],
	['n8n cli and @n8n packages (webhooks, runner, hooks, events)', (url) => url.includes('/n8n/dist/') || url.includes('/@n8n/')],
	['other dependencies', (url) => url.includes('node_modules')],
	['Node.js (JS)', (url) => url.startsWith('node:')],
];

function groupOf({ url, functionName }) {
	if (functionName === '(garbage collector)') return 'garbage collector';
	return GROUPS.find(([, test]) => test(url))?.[0] ?? 'native (sockets, syscalls, microtasks)';
}

const shortUrl = (url) => url.replace(/^.*node_modules\//, '').replace(/^file:\/\//, '');

/**
 * Self time per group and the top functions, in ms per event, over the samples inside `windows` ([[start, end]] in
 * µs); `busy` is all non-idle time.
 */
function summariseWindows(file, windows, events) {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
	const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
	const inWindow = (time) => windows.some(([start, end]) => time >= Number(start) && time <= Number(end));
	const groups = new Map();
	const functions = new Map();
	let busy = 0;
	let time = profile.startTime;
	profile.samples.forEach((id, index) => {
		const micros = profile.timeDeltas[index] ?? 0;
		time += micros;
		const frame = byId.get(id);
		if (!inWindow(time) || frame.functionName === '(idle)' || frame.functionName === '(program)') return;
		busy += micros;
		const group = groupOf(frame);
		groups.set(group, (groups.get(group) ?? 0) + micros);
		const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
		functions.set(name, (functions.get(name) ?? 0) + micros);
	});
	const perEvent = (micros) => micros / 1000 / Math.max(1, events);
	return {
		busy: perEvent(busy),
		rows: [...groups].sort((a, b) => b[1] - a[1]).map(([group, micros]) => [group, perEvent(micros)]),
		top: [...functions]
			.sort((a, b) => b[1] - a[1])
			.slice(0, 8)
			.map(([name, micros]) => [name, perEvent(micros)]),
	};
}

module.exports = { summariseWindows };
