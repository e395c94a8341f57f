import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { WhatsAppError } from '../../../contract/errors';
import type { HttpRequest, HttpRequester, HttpResponse } from './http';
import { PROXY_TUNNEL_REFUSED, transportFailure } from './http';
import { proxyForUrl } from './proxyFromEnv';

/**
 * Requests over kept-alive connections, with Node's own `http.Agent`/`https.Agent` as the pools: one pool per
 * server origin and proxy, shared by every execution in the n8n process. n8n's request helper opens a new
 * connection (and, to Meta, a new TLS session) per request, which costs more than the rest of a send; the Cloud
 * send path uses this client instead, and keeps what the helper gave (docs/transport.md): n8n's proxy variables,
 * TLS verification, a timeout, the same error mapping; the caller applies the credential.
 */

/** The most connections one pool opens: the most requests the delivery engine keeps in flight (Concurrent Requests' maximum). */
const MAX_CONNECTIONS_PER_POOL = 500;
/**
 * A kept-alive connection unused this long is closed (sooner when the server announces a shorter keep-alive).
 * Well below common server idle limits (5 s and up), so a request is not written into a connection the server
 * is closing, which would make its outcome unknown: the client's timer may fire seconds late when the event loop
 * is stalled (GC, a loaded machine), and a 1,000/s run on a loaded machine met that race with 4 s.
 */
const IDLE_CONNECTION_MS = 1_000;
/** Pools kept per process; past it the least recently used one is closed. */
const MAX_POOLS = 16;
/** The largest answer read. Meta's send answers are a few hundred bytes. */
const MAX_RESPONSE_BYTES = 1_048_576;

interface Pool {
	agent: http.Agent;
	/** An HTTP proxy that plain-HTTP requests are sent to in absolute form (https goes through a CONNECT tunnel). */
	forwardProxy?: URL;
}

const POOL_OPTIONS: http.AgentOptions = {
	keepAlive: true,
	maxSockets: MAX_CONNECTIONS_PER_POOL,
	maxFreeSockets: MAX_CONNECTIONS_PER_POOL,
	timeout: IDLE_CONNECTION_MS,
	scheduling: 'lifo',
};

/** `[::1]` → `::1`: URL keeps the brackets of an IPv6 host, sockets want the bare address. */
const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

function proxyAuthorization(proxy: URL): Record<string, string> {
	if (!proxy.username) return {};
	const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
	return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/** An https pool whose connections are TLS sessions inside a CONNECT tunnel through an HTTP proxy. */
class TunnellingAgent extends https.Agent {
	constructor(
		private readonly proxy: URL,
		private readonly tunnelTimeoutMs: number,
	) {
		super(POOL_OPTIONS);
	}

	/** Called by the pool for each new connection; answers through `done` once the tunnel and TLS are up. */
	createConnection(
		options: tls.ConnectionOptions & { host: string; port: number },
		done: (error: Error | null, socket?: Duplex) => void,
	): undefined {
		const authority = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
		const tunnel = http.request({
			host: bareHost(this.proxy),
			port: this.proxy.port || 80,
			method: 'CONNECT',
			path: authority,
			headers: { host: authority, ...proxyAuthorization(this.proxy) },
			agent: false,
			timeout: this.tunnelTimeoutMs,
		});
		tunnel.once('connect', (answer, socket) => {
			if (answer.statusCode !== 200) {
				socket.destroy();
				done(Object.assign(new Error(`The proxy refused a tunnel (HTTP ${answer.statusCode})`), { code: PROXY_TUNNEL_REFUSED }));
				return;
			}
			done(null, tls.connect({ ...options, socket }));
		});
		tunnel.once('timeout', () =>
			tunnel.destroy(Object.assign(new Error('The proxy did not open a tunnel in time'), { code: 'ETIMEDOUT' })),
		);
		tunnel.on('error', (error) => done(error));
		tunnel.end();
		return undefined;
	}
}

const pools = new Map<string, Pool>();

/** The pool for a URL and its proxy, or undefined for a proxy this client cannot use (not http://), where the caller falls back. */
function poolFor(target: URL, proxy: string | undefined, timeoutMs: number): Pool | undefined {
	const key = `${target.origin} ${proxy ?? ''}`;
	const existing = pools.get(key);
	if (existing) {
		// Most recently used last, so the first entry is the one to close when there are too many.
		pools.delete(key);
		pools.set(key, existing);
		return existing;
	}
	let pool: Pool;
	if (!proxy) pool = { agent: target.protocol === 'https:' ? new https.Agent(POOL_OPTIONS) : new http.Agent(POOL_OPTIONS) };
	else {
		const proxyUrl = new URL(proxy);
		if (proxyUrl.protocol !== 'http:') return undefined;
		pool =
			target.protocol === 'https:'
				? { agent: new TunnellingAgent(proxyUrl, timeoutMs) }
				: { agent: new http.Agent(POOL_OPTIONS), forwardProxy: proxyUrl };
	}
	pools.set(key, pool);
	if (pools.size > MAX_POOLS) {
		const [oldestKey, oldest] = pools.entries().next().value as [string, Pool];
		pools.delete(oldestKey);
		oldest.agent.destroy();
	}
	return pool;
}

function requestOptions(url: URL, pool: Pool, headers: http.OutgoingHttpHeaders): http.RequestOptions {
	const { forwardProxy } = pool;
	if (forwardProxy) {
		return {
			host: bareHost(forwardProxy),
			port: forwardProxy.port || 80,
			path: url.href,
			headers: { ...headers, host: url.host, ...proxyAuthorization(forwardProxy) },
		};
	}
	return { host: bareHost(url), port: url.port || undefined, path: `${url.pathname}${url.search}`, headers };
}

function tooLarge(target: string): WhatsAppError {
	return new WhatsAppError(`The answer of ${target} was larger than ${MAX_RESPONSE_BYTES} bytes`, {
		kind: 'ambiguous',
		retryable: false,
		description: `The request reached ${target}, but its answer was cut off at ${MAX_RESPONSE_BYTES} bytes, so whether it was carried out is unknown`,
		fix: 'Check the Base URL in the credential points at the Graph API, and whether the recipient got the message before sending again',
	});
}

function exchange(
	url: URL,
	pool: Pool,
	method: string,
	headers: http.OutgoingHttpHeaders,
	payload: Buffer | undefined,
	timeoutMs: number,
	target: string,
): Promise<HttpResponse> {
	return new Promise((resolve, reject) => {
		const client = url.protocol === 'https:' && !pool.forwardProxy ? https : http;
		const request = client.request({ ...requestOptions(url, pool, headers), method, agent: pool.agent });
		let settled = false;
		const settle = (outcome: () => void) => {
			if (settled) return;
			settled = true;
			clearTimeout(deadline);
			outcome();
		};
		const fail = (error: unknown) => {
			if (settled) return;
			request.destroy();
			settle(() => reject(error instanceof WhatsAppError ? error : transportFailure(error, target)));
		};
		const deadline = setTimeout(() => fail(Object.assign(new Error(`No answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
		request.on('error', fail);
		request.once('response', (response) => {
			const chunks: Buffer[] = [];
			let size = 0;
			response.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size > MAX_RESPONSE_BYTES) fail(tooLarge(target));
				else chunks.push(chunk);
			});
			response.on('error', fail);
			response.once('close', () => {
				if (!response.complete)
					fail(Object.assign(new Error('The connection closed before the answer was complete'), { code: 'ECONNRESET' }));
			});
			response.once('end', () =>
				settle(() =>
					resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
				),
			);
		});
		request.end(payload);
	});
}

export interface KeptAliveOptions {
	/** Headers added to every request, such as the credential's Authorization. Never logged or put in errors. */
	headers: Record<string, string>;
	/** From sending the request to the last byte of the answer; past it the request counts as possibly received. */
	timeoutMs: number;
	/** How errors name the server, e.g. 'the WhatsApp Cloud API'. */
	target: string;
	/** Used for a URL whose proxy is not an http:// proxy (n8n's helper handles those). */
	fallback: HttpRequester;
}

/**
 * A requester over kept-alive pools; answers and errors as every HttpRequester's. The proxy of each origin is
 * looked up once per requester (one execution): reading the environment costs more than the rest of the request.
 */
export function keptAliveRequester(options: KeptAliveOptions): HttpRequester {
	const proxies = new Map<string, string | undefined>();
	const proxyOf = (url: URL) => {
		if (!proxies.has(url.origin)) proxies.set(url.origin, proxyForUrl(url));
		return proxies.get(url.origin);
	};
	return async (request: HttpRequest) => {
		const url = new URL(request.url);
		for (const [name, value] of Object.entries(request.qs ?? {})) url.searchParams.set(name, String(value));
		const pool = poolFor(url, proxyOf(url), options.timeoutMs);
		if (!pool) return await options.fallback(request);
		const json = request.body !== undefined && !Buffer.isBuffer(request.body);
		const payload = request.body === undefined ? undefined : json ? Buffer.from(JSON.stringify(request.body)) : (request.body as Buffer);
		const headers: http.OutgoingHttpHeaders = {
			accept: 'application/json',
			...(json && { 'content-type': 'application/json' }),
			...request.headers,
			...options.headers,
			'content-length': payload?.length ?? 0,
		};
		return await exchange(url, pool, request.method, headers, payload, options.timeoutMs, options.target);
	};
}
