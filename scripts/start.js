#!/usr/bin/env node
'use strict';
/**
 * `npm start` (after `npm install`; it builds first): a ready n8n with this package, two WhatsApp sandboxes and the
 * example workflows, all on 127.0.0.1 (scripts/lib/sandboxStack.js). `npm start -- --n8n 2` runs n8n 2.41.1 (on a
 * Node 24 it provisions first). Data (n8n's database, logins, logs) stays in the cache folder between starts
 * (`--fresh` starts over). Ctrl-C stops everything.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { n8nChoice, rerunUnderNode } = require('../test/e2e/lib/n8nHost');
const { killAllSync, tail } = require('../test/e2e/lib/processes');
const { startSandboxStack, StackFailure } = require('./lib/sandboxStack');

const USAGE = 'npm start -- [--n8n 2] [--fresh]';
const say = (line = '') => process.stdout.write(`${line}\n`);
const argv = process.argv.slice(2);
const unknown = argv.filter(
	(arg, index) => !['--n8n', '--fresh'].includes(arg) && !arg.startsWith('--n8n=') && argv[index - 1] !== '--n8n',
);
if (unknown.length) {
	process.stderr.write(`usage: ${USAGE}  (unknown: ${unknown.join(' ')})\n`);
	process.exit(2);
}
const { major, host } = n8nChoice(argv, USAGE);
const PORTS = { n8n: 5678, cloud: 5681, lite: 5682 };
const CACHE_ROOT =
	process.env.N8N_HOST_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'n8n-nodes-whatsapp-automator');

async function main() {
	const dataDir = path.join(CACHE_ROOT, `sandbox-n8n-${major}`);
	if (argv.includes('--fresh')) fs.rmSync(dataDir, { recursive: true, force: true });
	fs.mkdirSync(dataDir, { recursive: true });
	let stack;
	let stopping = false;
	const shutdown = async (code) => {
		if (stopping) return;
		stopping = true;
		say('\nStopping n8n, the Lite gateway and the Cloud API sandbox…');
		await stack?.stop();
		say('Stopped; nothing is left running.');
		process.exit(code);
	};
	process.on('SIGINT', () => shutdown(0));
	process.on('SIGTERM', () => shutdown(0));
	process.on('exit', killAllSync);

	stack = await startSandboxStack({ host, dataDir, ports: PORTS, say });
	const { n8n, lite, cloud, workflows } = stack;
	const link = await lite.loginLink();
	const curl = (url, apiKeyHeader, body) =>
		`curl -s -X POST ${url} -H 'Content-Type: application/json'${apiKeyHeader ? ` -H 'appApiKey: ${apiKeyHeader}'` : ''} -d '${JSON.stringify(body)}'`;
	say(`
━━ Ready (everything on 127.0.0.1; data in ${dataDir})

n8n ${n8n.version}        ${n8n.url}
  log in as            ${n8n.owner.email}
  password             ${n8n.owner.password}

Lite gateway (sandbox: no phone, nothing reaches WhatsApp)   ${lite.url}
  QR login page        ${link}
                       (one-time link, valid 10 minutes; afterwards log in there with the API key below)
  status page          ${lite.url}/status
  API key              ${lite.apiKey}
  Lite sends wait for a linked "phone": open the QR page and press "Scan with the sandbox phone".

Cloud API sandbox (${cloud.label})   ${cloud.url}
  templates            order_update, welcome_named, spring_sale, hello_world, … (docs/cloud-api-sandbox.md)

In n8n (Overview), with the credentials "WhatsApp Cloud API (local sandbox, not Meta)", "WhatsApp Lite Container (sandbox)"
and "WhatsApp Cloud webhook relay (sandbox gateway)":
  - "WhatsApp segment send (Lite container) [sandbox]"   open it and Execute workflow: one item per recipient
  - "WhatsApp template send: order updates (Cloud API) [sandbox]"   the template picker lists the sandbox's templates
  - "WhatsApp keyword auto-reply (Lite container) [sandbox]"   activate it (n8n 2.x: Publish), then make the sandbox
    receive a message:
      ${curl(`${lite.url}/sandbox/inbound`, lite.apiKey, { from: '+49 151 23456701', name: 'Ada', body: 'JOIN' })}
    The trigger starts the workflow (see Executions); the reply is in ${lite.url}/sandbox/messages (same API key).
  - "WhatsApp keyword auto-reply (Cloud API) [sandbox]"   activate it (n8n 2.x: Publish): its trigger subscribes the
    sandbox's Meta app (ID ${cloud.ids.appId}). Any number of other Cloud triggers can receive the same app's events
    with Receive Events "Through the Relay" (credential "WhatsApp Cloud webhook relay (sandbox gateway)": the gateway
    relays the sandbox app's webhooks). Then make the Cloud sandbox receive a message:
      ${curl(`${cloud.url}/sandbox/inbound`, undefined, { from: '+49 151 23456702', name: 'Grace', body: 'JOIN' })}
    and from a username user whose phone Meta withholds (the item has userId, no from):
      ${curl(`${cloud.url}/sandbox/inbound`, undefined, { userId: 'US.13491208655302741918', username: 'ada.l', body: 'JOIN' })}
    The replies are in ${cloud.url}/sandbox/messages.
  - "WhatsApp approval: ask and wait for the answer (Lite container) [sandbox]"   activate it (n8n 2.x: Publish), then
    ask (the execution waits: Executions shows it as Waiting):
      ${curl(`${n8n.url}/webhook/approval`, undefined, { manager: '+49 151 23456703', order: '1042', amount: '40 €' })}
    and answer as the sandbox phone (1, 2, Approve or Decline): the execution resumes and confirms.
      ${curl(`${lite.url}/sandbox/inbound`, lite.apiKey, { from: '+49 151 23456703', body: '1' })}
  (workflow IDs: ${Object.values(workflows).join(', ')})

Press Ctrl-C to stop everything.`);
}

if (!rerunUnderNode(host.node, say)) {
	main().catch((error) => {
		say(`\n✗ npm start failed: ${error.message}`);
		if (!(error instanceof StackFailure)) say(error.stack);
		if (error.logFile) say(`----- last lines of ${error.logFile} -----\n${tail(error.logFile)}\n-----`);
		killAllSync();
		process.exit(1);
	});
}
