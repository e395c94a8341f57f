import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
	/** `http://127.0.0.1:<port>` */
	url: string;
	/** The path of every request received, in order. */
	hits: string[];
	/** TCP connections accepted (a refused fetch must not even connect). */
	connections(): number;
	stop(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records every request path; stands in for media hosts and internal services. */
export async function startLoopbackServer(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<LoopbackServer> {
	const hits: string[] = [];
	const server = createServer((request, response) => {
		hits.push(request.url ?? '');
		handle(request, response);
	});
	let connections = 0;
	server.on('connection', () => connections++);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		hits,
		connections: () => connections,
		stop: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

/** Serves `<name>.<ext>` paths as small files whose bytes are "<path> bytes" and whose type follows the extension. */
export const MEDIA_TYPES_BY_EXTENSION: Record<string, string> = {
	jpg: 'image/jpeg',
	ogg: 'audio/ogg',
	pdf: 'application/pdf',
	png: 'image/png',
};

export function startMediaServer(): Promise<LoopbackServer> {
	return startLoopbackServer((request, response) => {
		const type = MEDIA_TYPES_BY_EXTENSION[(request.url ?? '').split('.').pop() ?? ''];
		if (!type) return void response.writeHead(404).end();
		response.writeHead(200, { 'Content-Type': type }).end(mediaBytes(request.url ?? ''));
	});
}

export const mediaBytes = (path: string) => Buffer.from(`${path} bytes`);
