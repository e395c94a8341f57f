import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

/** What the proxy saw: plain-HTTP requests in absolute form, and CONNECT tunnels by authority. */
export interface ProxiedRequest {
	method: string;
	/** The absolute URL (forwarded request) or `host:port` (CONNECT). */
	target: string;
	headers: IncomingHttpHeaders;
}

export interface ForwardProxy {
	url: string;
	seen: ProxiedRequest[];
	/** CONNECT tunnels opened. */
	tunnels(): number;
	/** Answer CONNECT with this status instead of opening the tunnel (e.g. 407). */
	refuseTunnels(status: number): void;
	close(): Promise<void>;
}

/**
 * A forward proxy on loopback, as HTTP_PROXY / HTTPS_PROXY name one: forwards absolute-form requests and opens
 * CONNECT tunnels, to loopback targets only, and records what it saw.
 */
export async function startForwardProxy(): Promise<ForwardProxy> {
	const seen: ProxiedRequest[] = [];
	const sockets = new Set<Socket>();
	let tunnels = 0;
	let refusal: number | undefined;
	const server: Server = createServer((req, res) => {
		seen.push({ method: req.method ?? '', target: req.url ?? '', headers: req.headers });
		const target = new URL(req.url ?? '');
		if (target.hostname !== '127.0.0.1') return void res.writeHead(403).end();
		const { 'proxy-authorization': _dropped, ...headers } = req.headers;
		const upstream = httpRequest(
			{ host: target.hostname, port: target.port, method: req.method, path: `${target.pathname}${target.search}`, headers },
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', () => res.destroy());
		req.pipe(upstream);
	});
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	server.on('connect', (req, client: Socket, head: Buffer) => {
		seen.push({ method: 'CONNECT', target: req.url ?? '', headers: req.headers });
		const [host, port] = (req.url ?? '').split(':');
		if (refusal || host !== '127.0.0.1') return void client.end(`HTTP/1.1 ${refusal ?? 403} Refused\r\n\r\n`);
		tunnels++;
		const upstream = connect(Number(port), host, () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			upstream.write(head);
			upstream.pipe(client).pipe(upstream);
		});
		sockets.add(upstream);
		upstream.on('close', () => sockets.delete(upstream));
		upstream.on('error', () => client.destroy());
		client.on('error', () => upstream.destroy());
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		seen,
		tunnels: () => tunnels,
		refuseTunnels: (status) => {
			refusal = status;
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
