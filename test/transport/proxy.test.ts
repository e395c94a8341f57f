import { ACCESS_TOKEN, PHONE_NUMBER_ID, runSend, TO, useBackends } from '../send/fixtures';
import type { Backends } from '../send/fixtures';
import { NO_PROXY_SETTINGS, useEnv } from './env';
import { type ForwardProxy, startForwardProxy } from './forwardProxy';
import { selfSignedCertificate } from './selfSignedCertificate';

/**
 * Cloud sends honour the proxy variables n8n's request helper honours (HTTP_PROXY, HTTPS_PROXY, NO_PROXY; see
 * docs/transport.md), through a real forward proxy on loopback.
 */
const setEnv = useEnv();
let proxy: ForwardProxy;
beforeEach(async () => {
	proxy = await startForwardProxy();
	setEnv(NO_PROXY_SETTINGS);
});
afterEach(() => proxy.close());

const sendText = (backends: Backends, extra: { continueOnFail?: boolean; items?: number } = {}) =>
	runSend(
		backends,
		{
			operation: 'sendText',
			recipient: '={{ $json.phone }}',
			text: 'Hello',
			options: { maxAttempts: 1 },
			delivery: { messagesPerSecond: 1000, concurrency: 4 },
		},
		Array.from({ length: extra.items ?? 1 }, (_, index) => ({ json: { phone: index ? `49151000${String(index).padStart(4, '0')}` : TO } })),
		{ continueOnFail: extra.continueOnFail },
	);

describe('an http:// base URL', () => {
	const backends = useBackends();
	const sendPath = () => `${backends().graph.url}/v23.0/${PHONE_NUMBER_ID}/messages`;

	test('HTTP_PROXY: the send goes to the proxy in absolute form and reaches Meta through it', async () => {
		setEnv({ HTTP_PROXY: proxy.url });

		const run = await sendText(backends());

		expect(run.error).toBeUndefined();
		expect(proxy.seen.map(({ method, target }) => ({ method, target }))).toEqual([{ method: 'POST', target: sendPath() }]);
		expect(backends().graph.accepted.map((sent) => sent.to)).toEqual([TO]);
	});

	test('lower-case http_proxy is read too, before HTTP_PROXY', async () => {
		setEnv({ http_proxy: proxy.url, HTTP_PROXY: 'http://127.0.0.1:1' });

		const run = await sendText(backends());

		expect(run.error).toBeUndefined();
		expect(proxy.seen).toHaveLength(1);
	});

	test('credentials in the proxy URL go to the proxy as Proxy-Authorization, never on to Meta', async () => {
		const url = new URL(proxy.url);
		url.username = 'proxy-user';
		url.password = 'proxy pass';
		setEnv({ HTTP_PROXY: url.href });

		const run = await sendText(backends());

		expect(run.error).toBeUndefined();
		expect(proxy.seen[0].headers['proxy-authorization']).toBe(`Basic ${Buffer.from('proxy-user:proxy pass').toString('base64')}`);
		expect(backends().graph.requests[0].headers['proxy-authorization']).toBeUndefined();
		expect(backends().graph.requests[0].headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
	});

	test.each([['127.0.0.1'], ['localhost,127.0.0.1'], ['*'], ['.0.0.1']])('NO_PROXY=%s bypasses the proxy', async (noProxy) => {
		setEnv({ HTTP_PROXY: proxy.url, NO_PROXY: noProxy });

		const run = await sendText(backends());

		expect(run.error).toBeUndefined();
		expect(proxy.seen).toEqual([]);
		expect(backends().graph.accepted).toHaveLength(1);
	});

	test('NO_PROXY naming the host on another port still proxies', async () => {
		setEnv({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1:1' });

		await sendText(backends());

		expect(proxy.seen).toHaveLength(1);
	});

	test('HTTPS_PROXY alone does not apply to an http:// URL', async () => {
		setEnv({ HTTPS_PROXY: proxy.url });

		await sendText(backends());

		expect(proxy.seen).toEqual([]);
		expect(backends().graph.accepted).toHaveLength(1);
	});
});

describe('an https:// base URL (self-signed certificate)', () => {
	const backends = useBackends({ tls: selfSignedCertificate() });

	test('HTTPS_PROXY: a CONNECT tunnel is opened, and the certificate is still verified inside it: refused, nothing sent', async () => {
		setEnv({ HTTPS_PROXY: proxy.url });

		const run = await sendText(backends(), { continueOnFail: true });

		const port = new URL(backends().graph.url).port;
		expect(proxy.seen.map(({ method, target }) => ({ method, target }))).toEqual([{ method: 'CONNECT', target: `127.0.0.1:${port}` }]);
		expect(run.items[0].json).toMatchObject({ status: 'failed', error: { kind: 'network', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
		expect(backends().graph.requests).toEqual([]);
	});

	test('a proxy that refuses the tunnel: the send failed before reaching Meta (not sent, says so)', async () => {
		setEnv({ HTTPS_PROXY: proxy.url });
		proxy.refuseTunnels(407);

		const run = await sendText(backends(), { continueOnFail: true });

		expect(run.items[0].json).toMatchObject({ status: 'failed', error: { kind: 'network', code: 'ERR_PROXY_TUNNEL_REFUSED' } });
		expect(backends().graph.requests).toEqual([]);
	});
});
