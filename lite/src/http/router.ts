import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { errorText, type Logger } from '../log';
import { ApiError, internalError, invalidRequest, notFound, unauthorized } from './errors';

export interface Request {
	params: Record<string, string>;
	headers: IncomingHttpHeaders;
	/** The query string's parameters (the last of a repeated one). */
	query: Record<string, string>;
	/** The parsed JSON body ({} when there is none). */
	body: Record<string, unknown>;
}

export interface Reply {
	status: number;
	body?: unknown;
	/** Sent as text instead of JSON (Prometheus metrics). */
	text?: string;
}

export type Handler = (request: Request) => Promise<Reply>;

interface Route {
	method: string;
	pattern: RegExp;
	keys: string[];
	handler: Handler;
	open: boolean;
}

export interface RouterOptions {
	authorized(headers: IncomingHttpHeaders): boolean;
	maxBodyBytes: number;
	log: Logger;
}

/** Path patterns like `/webhooks/:id`; every route needs the API key unless added with `open`. */
export class Router {
	private readonly routes: Route[] = [];

	constructor(private readonly options: RouterOptions) {}

	add(method: string, path: string, handler: Handler, { open = false } = {}): this {
		const keys: string[] = [];
		const source = path.replace(/:(\w+)/g, (_, key: string) => {
			keys.push(key);
			return '([^/]+)';
		});
		this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), keys, handler, open });
		return this;
	}

	readonly listener = (incoming: IncomingMessage, response: ServerResponse): void => {
		this.dispatch(incoming)
			.catch((error: unknown) => {
				if (error instanceof ApiError) return { status: error.status, body: error.body() };
				this.options.log.error(`${incoming.method} ${incoming.url?.split('?')[0]} failed: ${errorText(error)}`);
				const internal = internalError();
				return { status: internal.status, body: internal.body() };
			})
			.then((reply) => send(response, reply));
	};

	private async dispatch(incoming: IncomingMessage): Promise<Reply> {
		const url = new URL(incoming.url ?? '/', 'http://gateway');
		const path = url.pathname;
		for (const route of this.routes) {
			const match = route.method === incoming.method ? route.pattern.exec(path) : null;
			if (!match) continue;
			if (!route.open && !this.options.authorized(incoming.headers)) throw unauthorized();
			const params = Object.fromEntries(route.keys.map((key, index) => [key, decodeURIComponent(match[index + 1])]));
			const body = await readJson(incoming, this.options.maxBodyBytes);
			return route.handler({ params, headers: incoming.headers, query: Object.fromEntries(url.searchParams), body });
		}
		throw notFound(`${incoming.method} ${path}`);
	}
}

async function readJson(incoming: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
	const chunks: Buffer[] = [];
	let size = 0;
	// An oversized body is still read to its end (and dropped), so the client gets the 413 on a clean connection.
	for await (const chunk of incoming) {
		size += (chunk as Buffer).length;
		if (size <= maxBytes) chunks.push(chunk as Buffer);
	}
	if (size > maxBytes) {
		throw new ApiError(413, 'MEDIA_TOO_LARGE', `The request body is larger than ${maxBytes} bytes`, 'Send large media by URL, or raise MAX_INLINE_MEDIA_BYTES');
	}
	if (size === 0) return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
	} catch {
		throw invalidRequest('The request body is not valid JSON', 'Send a JSON object with Content-Type: application/json');
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidRequest('The request body must be a JSON object');
	return parsed as Record<string, unknown>;
}

function send(response: ServerResponse, reply: Reply): void {
	if (reply.text !== undefined) {
		response.writeHead(reply.status, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(reply.text);
	} else if (reply.body === undefined) {
		response.writeHead(reply.status).end();
	} else {
		response.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(reply.body));
	}
}
