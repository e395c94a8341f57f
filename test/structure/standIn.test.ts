import { spawn } from 'node:child_process';
import { join } from 'node:path';

const N8N_HOST = join(__dirname, '..', 'e2e', 'lib', 'n8nHost.js');

/** A child that says when it is ready and how it was stopped. */
const CHILD = `
process.on('SIGINT', () => { console.log('child stopped by SIGINT'); process.exit(0); });
console.log('child ready');
setInterval(() => undefined, 1000);
`;

/**
 * `npm start -- --n8n 2` (and the e2e and UI runners) run themselves again under Node 24 with runAsStandIn. npm passes
 * Ctrl-C on to the script as a SIGINT to that one process: it must reach the Node 24 child, which stops everything.
 */
test('a SIGINT sent to the stand-in process alone stops its child, and the child exit code is the stand-in’s', async () => {
	const standIn = spawn(
		process.execPath,
		['-e', `require(${JSON.stringify(N8N_HOST)}).runAsStandIn(process.execPath, ['-e', ${JSON.stringify(CHILD)}], process.env)`],
		{ stdio: ['ignore', 'pipe', 'inherit'] },
	);
	let output = '';
	const ready = new Promise<void>((resolve) =>
		standIn.stdout.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			if (output.includes('child ready')) resolve();
		}),
	);
	const exited = new Promise<number | null>((resolve) => standIn.on('exit', (code) => resolve(code)));
	await ready;
	process.kill(standIn.pid!, 'SIGINT');
	expect(await exited).toBe(0);
	expect(output).toContain('child stopped by SIGINT');
});
