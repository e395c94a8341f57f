import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ACCESS_TOKEN, PHONE_NUMBER_ID, runSend, TO, useBackends } from '../send/fixtures';
import { NO_PROXY_SETTINGS, useEnv } from './env';
import { type ForwardProxy, startForwardProxy } from './forwardProxy';
import { selfSignedCertificate } from './selfSignedCertificate';

/**
 * Cloud sends verify the server's TLS certificate as n8n's request helper does; the operator's switches are Node's
 * own (NODE_EXTRA_CA_CERTS to trust a private authority, NODE_TLS_REJECT_UNAUTHORIZED=0 to trust any; docs/transport.md).
 */
const backends = useBackends({ tls: selfSignedCertificate() });
const setEnv = useEnv();
beforeEach(() => setEnv(NO_PROXY_SETTINGS));

test('a self-signed certificate is refused before anything is sent, with a fix naming NODE_EXTRA_CA_CERTS', async () => {
	const run = await runSend(backends(), { operation: 'sendText', recipient: TO, text: 'Hello', options: { maxAttempts: 1 } }, undefined, {
		continueOnFail: true,
	});

	expect(run.items[0].json).toMatchObject({
		status: 'failed',
		error: { kind: 'network', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', fix: expect.stringContaining('NODE_EXTRA_CA_CERTS') },
	});
	expect(backends().graph.requests).toEqual([]);
	expect(JSON.stringify(run.items)).not.toContain(ACCESS_TOKEN);
});

/** Runs test/transport/sendInChild.js with these variables on top of the test's environment. */
function sendInChild(
	env: Record<string, string>,
	count: number,
	inFlight: number,
): Promise<{ statusCodes?: number[]; error?: Record<string, unknown> }> {
	const url = `${backends().graph.url}/v23.0/${PHONE_NUMBER_ID}/messages`;
	return new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			[join(__dirname, 'sendInChild.js'), url, ACCESS_TOKEN, String(count), String(inFlight)],
			{ env: { ...process.env, ...env } },
			(error, stdout) => {
				if (error) reject(error);
				else resolve(JSON.parse(stdout));
			},
		);
	});
}

describe('in a process started with NODE_TLS_REJECT_UNAUTHORIZED=0', () => {
	let proxy: ForwardProxy;
	beforeEach(async () => {
		proxy = await startForwardProxy();
	});
	afterEach(() => proxy.close());

	test('the same server is accepted', async () => {
		const result = await sendInChild({ NODE_TLS_REJECT_UNAUTHORIZED: '0' }, 3, 1);

		expect(result).toEqual({ statusCodes: [200, 200, 200] });
		expect(backends().graph.accepted).toHaveLength(3);
	});

	test('without it, the same child refuses that server', async () => {
		const result = await sendInChild({}, 1, 1);

		expect(result.error).toMatchObject({ kind: 'network', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
		expect(backends().graph.requests).toEqual([]);
	});

	test('through HTTPS_PROXY: TLS inside kept CONNECT tunnels, the proxy never sees the token', async () => {
		const result = await sendInChild({ NODE_TLS_REJECT_UNAUTHORIZED: '0', HTTPS_PROXY: proxy.url }, 40, 4);

		expect(result.statusCodes).toEqual(new Array(40).fill(200));
		expect(backends().graph.accepted).toHaveLength(40);
		expect(proxy.seen.every((request) => request.method === 'CONNECT')).toBe(true);
		expect(proxy.tunnels()).toBeGreaterThanOrEqual(1);
		expect(proxy.tunnels()).toBeLessThanOrEqual(4);
		expect(JSON.stringify(proxy.seen)).not.toContain(ACCESS_TOKEN);
	});
});
