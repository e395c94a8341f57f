import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	rawBody: Buffer;
	/** The parsed JSON body, when it was JSON. */
	body: unknown;
	at: number;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export interface RunningServer {
	url: string;
	server: Server;
	/** TCP connections accepted since the start. */
	connectionsOpened(): number;
	close(): Promise<void>;
}

/** A TLS certificate and key (PEM) to serve HTTPS with. */
export interface ServerTls {
	key: string;
	cert: string;
}

/** A real HTTP server (HTTPS with `tls`) on loopback, on a free port unless one is given: the base of the fakes. */
export async function startServer(handler: Handler, { tls, port = 0 }: { tls?: ServerTls; port?: number } = {}): Promise<RunningServer> {
	const listener = (req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const rawBody = Buffer.concat(chunks);
			const url = new URL(req.url ?? '/', 'http://localhost');
			let body: unknown;
			const isJson = String(req.headers['content-type'] ?? '').includes('json');
			if (isJson && rawBody.length) {
				try {
					body = JSON.parse(rawBody.toString('utf8'));
				} catch {
					body = undefined;
				}
			}
			const request: RecordedRequest = {
				method: req.method ?? 'GET',
				path: url.pathname,
				query: url.searchParams,
				headers: req.headers,
				rawBody,
				body,
				at: Date.now(),
			};
			Promise.resolve(handler(request, res)).catch((error) => {
				if (!res.headersSent) sendJson(res, 500, { error: { message: String(error) } });
			});
		});
	};
	const server: Server = tls ? createTlsServer(tls, listener) : createServer(listener);
	let connections = 0;
	server.on('connection', () => connections++);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', resolve);
	});
	const { port: listening } = server.address() as AddressInfo;
	return {
		url: `${tls ? 'https' : 'http'}://127.0.0.1:${listening}`,
		server,
		connectionsOpened: () => connections,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	res.writeHead(status, { 'content-type': 'application/json', ...headers });
	res.end(JSON.stringify(body));
}
