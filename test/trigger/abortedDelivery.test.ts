import { connect } from 'node:net';
import type { TriggerUnderTest } from '../harness/webhook';
import { metaBody, metaHeaders, metaMessage, startCloudTrigger } from './fixtures';

let trigger: TriggerUnderTest;
beforeEach(async () => {
	trigger = await startCloudTrigger();
});
afterEach(async () => await trigger.close());

async function settled<T>(what: string, read: () => T | undefined): Promise<T> {
	for (let waited = 0; waited < 20_000; waited += 20) {
		const value = read();
		if (value !== undefined) return value;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	throw new Error(`timed out waiting for ${what}`);
}

/** Sends a signed delivery's headers and the first part of its body, then closes the connection, as a killed sender does. */
async function deliverHalfThenVanish(raw: string) {
	const { hostname, host, port, pathname } = new URL(trigger.url);
	const socket = connect(Number(port), hostname);
	await new Promise((resolve) => socket.once('connect', resolve));
	const headers = {
		Host: host,
		'Content-Type': 'application/json',
		'Content-Length': String(Buffer.byteLength(raw)),
		...metaHeaders(raw),
	};
	socket.write(
		`POST ${pathname} HTTP/1.1\r\n${Object.entries(headers)
			.map(([name, value]) => `${name}: ${value}\r\n`)
			.join('')}\r\n`,
	);
	socket.write(raw.slice(0, 20));
	await settled('the request to reach the trigger', () => (trigger.received() === 1 ? true : undefined));
	socket.destroy();
}

test('a sender that goes away mid-body starts nothing and fails nothing; its redelivery starts the event once', async () => {
	const raw = JSON.stringify(metaBody({ messages: [metaMessage('text', { text: { body: 'hello' } })] }));

	await deliverHalfThenVanish(raw);
	const [outcome] = await settled('the aborted request to finish', () => (trigger.finished.length === 1 ? trigger.finished : undefined));

	// n8n records an error execution for a webhook() that throws; an aborted body is no error of the workflow's.
	expect(outcome).toEqual({});
	expect(trigger.started).toEqual([]);
	const redelivery = await trigger.post(raw, metaHeaders(raw));
	expect(redelivery.status).toBe(200);
	expect(trigger.started.flat().map((item) => item.json.text)).toEqual(['hello']);
});
