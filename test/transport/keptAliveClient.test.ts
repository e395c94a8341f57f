import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequest } from '../../nodes/whatsapp/channel/http';
import { keptAliveRequester } from '../../nodes/whatsapp/channel/keptAliveClient';
import { proxyForUrl } from '../../nodes/whatsapp/channel/proxyFromEnv';
import { isWhatsAppError } from '../../contract/errors';
import { NO_PROXY_SETTINGS, useEnv } from './env';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- no types are published for it
const { getProxyForUrl } = require('proxy-from-env') as { getProxyForUrl(url: string): string };

const TOKEN = 'EAAG-kept-alive-secret-token';
const setEnv = useEnv();
beforeEach(() => setEnv(NO_PROXY_SETTINGS));

let server: Server | undefined;
afterEach(
	() =>
		new Promise<void>((resolve) => {
			if (!server) return resolve();
			server.closeAllConnections();
			server.close(() => resolve());
			server = undefined;
		}),
);

/** A loopback server with this behaviour; returns its URL. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
	server = createServer(handler);
	await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v23.0/1/messages`;
}

const fallbackRequests: HttpRequest[] = [];
const requester = (timeoutMs = 10_000) =>
	keptAliveRequester({
		headers: { authorization: `Bearer ${TOKEN}` },
		timeoutMs,
		target: 'the test server',
		fallback: async (request) => (fallbackRequests.push(request), { statusCode: 299, headers: {}, body: '' }),
	});

async function failure(promise: Promise<unknown>) {
	const error = await promise.then(
		() => undefined,
		(caught: unknown) => caught,
	);
	if (!isWhatsAppError(error)) throw new Error(`Expected a WhatsAppError, got ${String(error)}`);
	expect(JSON.stringify({ ...error.toJSON(), message: error.message, stack: error.stack })).not.toContain(TOKEN);
	return error;
}

const send = (url: string, timeoutMs?: number) => requester(timeoutMs)({ method: 'POST', url, body: { to: '1' }, qs: { fields: 'id' } });

test('applies the given headers and sends JSON with query parameters; answers with status, headers and body', async () => {
	let received: { url?: string; authorization?: string; contentType?: string; body?: string } = {};
	const url = await serve((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			received = { url: req.url, authorization: req.headers.authorization, contentType: req.headers['content-type'], body };
			res.writeHead(400, { 'retry-after': '2', 'content-type': 'application/json' }).end('{"error":{"code":130429}}');
		});
	});

	const answer = await send(url);

	expect(received).toEqual({
		url: '/v23.0/1/messages?fields=id',
		authorization: `Bearer ${TOKEN}`,
		contentType: 'application/json',
		body: '{"to":"1"}',
	});
	expect(answer).toMatchObject({
		statusCode: 400,
		headers: expect.objectContaining({ 'retry-after': '2' }),
		body: '{"error":{"code":130429}}',
	});
});

test('no answer within the timeout: the request may have been received (ambiguous), not retried as unsent', async () => {
	let arrived = false;
	const url = await serve((req) => {
		arrived = true;
		req.resume();
	});

	const error = await failure(send(url, 300));

	expect(arrived).toBe(true);
	expect(error).toMatchObject({ kind: 'ambiguous', code: 'ETIMEDOUT', retryable: false });
});

test('an answer cut off midway is ambiguous', async () => {
	const url = await serve((req, res) => {
		res.writeHead(200, { 'content-length': '100' });
		res.write('{"messages":');
		setImmediate(() => res.destroy());
	});

	expect(await failure(send(url))).toMatchObject({ kind: 'ambiguous', retryable: false });
});

test('an answer past 1 MB is cut off with a clear error, not read into memory', async () => {
	const url = await serve((req, res) => {
		res.writeHead(200);
		const chunk = Buffer.alloc(64 * 1024, 'x');
		let sent = 0;
		const write = () => {
			while (sent < 64 && res.write(chunk)) sent++;
			if (sent < 64) res.once('drain', write);
			else res.end();
		};
		write();
	});

	const error = await failure(send(url));

	expect(error).toMatchObject({ kind: 'ambiguous', message: expect.stringContaining('larger than 1048576 bytes') });
});

test('a refused connection was not sent, and the error names no secret', async () => {
	const url = await serve(() => undefined);
	await new Promise<void>((resolve) => server!.close(() => resolve()));
	server = undefined;

	expect(await failure(send(url))).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', retryable: true });
});

test("a proxy that is not http:// (socks, https) is left to n8n's helper: the fallback gets the request", async () => {
	setEnv({ HTTP_PROXY: 'socks5://127.0.0.1:1080' });
	fallbackRequests.length = 0;

	const answer = await send('http://127.0.0.1:1/v23.0/1/messages');

	expect(answer.statusCode).toBe(299);
	expect(fallbackRequests).toEqual([expect.objectContaining({ method: 'POST', url: 'http://127.0.0.1:1/v23.0/1/messages' })]);
});

describe('proxyForUrl follows proxy-from-env 1.1.0, as n8n 1.123 and 2.41 do', () => {
	const graph = new URL('https://graph.facebook.com/v23.0/1/messages');
	const cases: Array<[string, Record<string, string>, URL, string | undefined]> = [
		['nothing set', {}, graph, undefined],
		['HTTPS_PROXY for https', { HTTPS_PROXY: 'http://proxy:3128' }, graph, 'http://proxy:3128'],
		['HTTP_PROXY is not used for https', { HTTP_PROXY: 'http://proxy:3128' }, graph, undefined],
		['lower case wins over upper case', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }, graph, 'http://lower:1'],
		['ALL_PROXY as the last resort', { ALL_PROXY: 'http://all:3' }, graph, 'http://all:3'],
		['npm_config_https_proxy first', { npm_config_https_proxy: 'http://npm:4', HTTPS_PROXY: 'http://env:5' }, graph, 'http://npm:4'],
		["a proxy without scheme takes the URL's", { HTTPS_PROXY: 'proxy:3128' }, graph, 'https://proxy:3128'],
		['NO_PROXY exact host', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'graph.facebook.com' }, graph, undefined],
		['NO_PROXY exact host does not match a subdomain', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'facebook.com' }, graph, 'http://p:1'],
		['NO_PROXY .domain suffix', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.facebook.com' }, graph, undefined],
		['NO_PROXY *.domain suffix', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*.facebook.com' }, graph, undefined],
		['NO_PROXY with the default port', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'graph.facebook.com:443' }, graph, undefined],
		['NO_PROXY with another port', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'graph.facebook.com:8443' }, graph, 'http://p:1'],
		[
			'NO_PROXY list with spaces, case-insensitive',
			{ HTTPS_PROXY: 'http://p:1', NO_PROXY: 'localhost GRAPH.facebook.com' },
			graph,
			undefined,
		],
		['NO_PROXY *', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }, graph, undefined],
		['lower-case no_proxy wins', { HTTPS_PROXY: 'http://p:1', no_proxy: 'other', NO_PROXY: 'graph.facebook.com' }, graph, 'http://p:1'],
		['IPv6 host with brackets', { HTTP_PROXY: 'http://p:1', NO_PROXY: '[::1]' }, new URL('http://[::1]:8080/x'), undefined],
	];

	test.each(cases)('%s', (_what, variables, url, expected) => {
		setEnv(variables);

		expect(proxyForUrl(url)).toBe(expected);
		// The same answer as the library n8n-core itself calls (here through the n8n-core dev dependency).
		expect(getProxyForUrl(url.href) || undefined).toBe(expected);
	});
});
