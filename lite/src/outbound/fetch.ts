import { promises as dns, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { OutboundPolicy, OutboundRefused } from './policy';
import { errorCode } from '../../../contract/log';

/** A host's addresses; the system resolver unless a test stands in a DNS that answers chosen addresses. */
export type Resolve = (host: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (host) => dns.lookup(host, { all: true });

type OutboundFailure = 'refused' | 'too_large' | 'timeout' | 'unreachable' | 'redirects';

/** A fetch that did not produce an answer; the message names the origin only, never the path. */
export class OutboundError extends Error {
	constructor(
		readonly failure: OutboundFailure,
		message: string,
	) {
		super(message);
	}
}

export interface OutboundRequest {
	method?: 'GET' | 'POST';
	headers?: Record<string, string>;
	body?: string;
	/** Answer bytes read at most: past them the connection is cut, and the fetch fails unless `truncate`. */
	maxBytes: number;
	/** Keep the first `maxBytes` and stop reading instead of failing (webhooks only need the status). */
	truncate?: boolean;
	/** Redirects followed, each checked like the first URL; 0 returns the 3xx as the answer. */
	maxRedirects: number;
	connectTimeoutMs: number;
	/** For everything: every hop, connecting and reading the answer. */
	timeoutMs: number;
	signal?: AbortSignal;
	resolve?: Resolve;
}

export interface OutboundAnswer {
	status: number;
	headers: IncomingHttpHeaders;
	body: Buffer;
	/** After redirects. */
	url: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The gateway's one way to fetch a URL a caller gave it (media, webhooks). The host is resolved, every address is
 * checked against the policy, and the connection goes to a checked address (a second DNS answer cannot swap it).
 */
export async function outboundFetch(policy: OutboundPolicy, rawUrl: string, request: OutboundRequest): Promise<OutboundAnswer> {
	const deadline = AbortSignal.timeout(request.timeoutMs);
	const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
	let url = policy.checkUrl(rawUrl);
	let { method = 'GET', body } = request;
	for (let redirects = 0; ; redirects++) {
		const answer = await fetchOnce(policy, url, { ...request, method, body, signal }, deadline);
		const location = answer.headers.location;
		if (!REDIRECTS.has(answer.status) || !location || request.maxRedirects === 0) return answer;
		if (redirects >= request.maxRedirects)
			throw new OutboundError('redirects', `${origin(url)} redirected more than ${request.maxRedirects} times`);
		url = policy.checkUrl(redirectTarget(location, url));
		if (answer.status === 303 || (method === 'POST' && answer.status !== 307 && answer.status !== 308)) {
			method = 'GET';
			body = undefined;
		}
	}
}

function redirectTarget(location: string, from: URL): string {
	try {
		return new URL(location, from).toString();
	} catch {
		// The refusal says what went wrong; the URL itself is not repeated (it may carry a token).
		throw new OutboundError('unreachable', `${origin(from)} redirected to something that is not a URL`);
	}
}

function fetchOnce(
	policy: OutboundPolicy,
	url: URL,
	request: OutboundRequest & { signal: AbortSignal },
	deadline: AbortSignal,
): Promise<OutboundAnswer> {
	const where = origin(url);
	return new Promise((resolve, reject) => {
		const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
		const outgoing = send(url, {
			method: request.method,
			headers: { 'Accept-Encoding': 'identity', ...request.headers },
			agent: false,
			lookup: checkedLookup(policy, where, request.resolve ?? systemResolve),
			signal: request.signal,
		});
		const connectTimer = setTimeout(
			() => outgoing.destroy(new OutboundError('timeout', `${where} did not accept a connection within ${request.connectTimeoutMs} ms`)),
			request.connectTimeoutMs,
		);
		outgoing.once('socket', (socket) =>
			socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer)),
		);
		outgoing.once('close', () => clearTimeout(connectTimer));
		outgoing.on('error', (error) => reject(outboundError(error, where, request, deadline)));
		outgoing.once('response', (incoming) => {
			readAnswer(incoming, request, where).then(
				(body) => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body, url }),
				(error) => {
					outgoing.destroy();
					reject(outboundError(error, where, request, deadline));
				},
			);
		});
		outgoing.end(request.body);
	});
}

/** Reads at most `maxBytes`: a declared larger length is refused before reading, a longer stream is cut off. */
async function readAnswer(incoming: IncomingMessage, request: OutboundRequest, where: string): Promise<Buffer> {
	const tooLarge = () => new OutboundError('too_large', `${where} answered more than ${request.maxBytes} bytes`);
	const declared = Number(incoming.headers['content-length'] ?? NaN);
	if (!request.truncate && declared > request.maxBytes) throw tooLarge();
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of incoming) {
		const room = request.maxBytes - size;
		chunks.push((chunk as Buffer).subarray(0, room));
		size += (chunk as Buffer).length;
		if (size > request.maxBytes) {
			if (!request.truncate) throw tooLarge();
			incoming.destroy();
			break;
		}
	}
	return Buffer.concat(chunks);
}

/** Resolves like the system would, refuses when any address is refused, and hands only checked addresses to connect. */
function checkedLookup(policy: OutboundPolicy, where: string, resolve: Resolve): LookupFunction {
	return (host, options, callback) => {
		resolve(host).then(
			(all) => {
				const addresses = options.family ? all.filter(({ family }) => family === options.family) : all;
				const refused = addresses.map(({ address }) => policy.refusal(host, address)).find(Boolean);
				if (refused || addresses.length === 0) return callback(new OutboundRefused(where, refused ?? 'the name has no address'), '', 0);
				if (options.all) return (callback as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
				callback(null, addresses[0].address, addresses[0].family);
			},
			(error) => callback(error, '', 0),
		);
	};
}

function outboundError(error: unknown, where: string, request: OutboundRequest, deadline: AbortSignal): Error {
	if (error instanceof OutboundError || error instanceof OutboundRefused) return error;
	if (deadline.aborted) return new OutboundError('timeout', `${where} did not answer within ${request.timeoutMs} ms`);
	if (request.signal?.aborted) return new OutboundError('unreachable', `The request to ${where} was cancelled`);
	const code = errorCode(error);
	return new OutboundError('unreachable', `${where} could not be reached${code ? ` (${code})` : ''}`);
}

/** Scheme, host and port only: paths and queries can carry secrets (n8n webhook paths, signed media links). */
export function origin(url: URL): string {
	return `${url.protocol}//${url.host}`;
}
