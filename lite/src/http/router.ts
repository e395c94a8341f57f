import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { causeOf, type Logger } from '../../../contract/log';
import { closeIfBodyUnread, readBody } from './body';
import { ApiError, internalError, invalidRequest, mediaTooLarge, notFound, unauthorized, unsupportedMediaType } from './errors';
import { MAX_JSON_DEPTH, tooDeep } from './schema';

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
				this.options.log.error('Request failed', { method: incoming.method, path: pathOf(incoming), ...causeOf(error) });
				const internal = internalError();
				return { status: internal.status, body: internal.body() };
			})
			.then((reply) => {
				closeIfBodyUnread(incoming, response);
				send(response, reply);
			});
	};

	private async dispatch(incoming: IncomingMessage): Promise<Reply> {
		const path = pathOf(incoming);
		for (const route of this.routes) {
			const match = route.method === incoming.method ? route.pattern.exec(path) : null;
			if (!match) continue;
			if (!route.open && !this.options.authorized(incoming.headers)) throw unauthorized();
			const params = Object.fromEntries(route.keys.map((key, index) => [key, decodedSegment(match[index + 1])]));
			const body = await readJson(incoming, this.options.maxBodyBytes);
			return route.handler({ params, headers: incoming.headers, query: queryOf(incoming), body });
		}
		throw notFound(`${incoming.method} ${path}`);
	}
}

/** The request target without its query (split by hand: parsing it as a URL fails on some malformed targets). */
function pathOf(incoming: IncomingMessage): string {
	return (incoming.url ?? '/').split('?')[0];
}

/** The query's parameters; URLSearchParams keeps malformed percent-encoding as it is instead of throwing. */
function queryOf(incoming: IncomingMessage): Record<string, string> {
	const target = incoming.url ?? '/';
	const start = target.indexOf('?');
	return start < 0 ? {} : Object.fromEntries(new URLSearchParams(target.slice(start + 1)));
}

function decodedSegment(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		// The caller's mistake, named with the segment and the fix; the URIError adds nothing to it.
		throw invalidRequest(
			`The path segment "${segment.slice(0, 100)}" is not valid percent-encoding`,
			'Percent-encode the ID (encodeURIComponent)',
		);
	}
}

const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

const bodyTooLarge = (maxBytes: number) =>
	mediaTooLarge(
		`The request body is larger than this gateway's limit of ${maxBytes} bytes`,
		'Send large media by URL, or raise MAX_INLINE_MEDIA_BYTES',
	);

/** The JSON body, read only up to `maxBytes` (readBody). */
async function readJson(incoming: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
	const declared = incoming.headers['content-length'];
	const hasBody = declared !== undefined ? Number(declared) > 0 : incoming.headers['transfer-encoding'] !== undefined;
	if (!hasBody) return {};
	if (!JSON_TYPE.test(incoming.headers['content-type'] ?? '')) {
		throw unsupportedMediaType(incoming.headers['content-type']);
	}
	const raw = await readBody(incoming, maxBytes, () => bodyTooLarge(maxBytes));
	if (raw.length === 0) return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw.toString('utf8'));
	} catch {
		// The caller's mistake; the parser's position is not worth echoing a body that may hold personal data.
		throw invalidRequest('The request body is not valid JSON', 'Send a JSON object with Content-Type: application/json');
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidRequest('The request body must be a JSON object');
	const deep = tooDeep(parsed);
	if (deep !== undefined)
		throw invalidRequest(
			`The request body nests objects and lists more than ${MAX_JSON_DEPTH} levels deep (at ${deep.slice(0, 200)})`,
			`Flatten ${deep.split('.')[0]}: at most ${MAX_JSON_DEPTH} levels`,
			{ field: deep.slice(0, 200) },
		);
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
