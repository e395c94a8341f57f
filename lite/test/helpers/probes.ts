import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { startRedis, type TestRedis } from '../../../test/harness/redis';
import type { Config } from '../../src/config';
import type { Resolve } from '../../src/outbound/fetch';
import { startGateway, type TestGateway } from './gateway';
import { startLoopbackServer, type LoopbackServer } from './loopbackServer';
import { standInLibrary, type StandInClient } from './standInWwebjs';
import { waitFor } from './wait';

/** A gateway for security probes, with either driver; `sent` lists what reached "WhatsApp". */
export interface ProbeGateway extends TestGateway {
	sent(): unknown[];
}

export type DriverKind = 'sandbox' | 'whatsapp-web.js stand-in';
export const DRIVERS: DriverKind[] = ['sandbox', 'whatsapp-web.js stand-in'];

/** Both allow-lists off (the defaults) unless a probe names hosts. */
export async function startProbeGateway(driver: DriverKind, overrides: Partial<Config>, resolve?: Resolve): Promise<ProbeGateway> {
	const config = { mediaAllowedHosts: [], webhookAllowedHosts: [], ...overrides };
	if (driver === 'sandbox') {
		const gw = await startGateway(config, { resolve });
		return { ...gw, sent: () => gw.sandbox.sent };
	}
	const standIn = standInLibrary();
	const gw = await startGateway({ ...config, driver: 'wwebjs' }, { wwebjs: () => standIn.library, resolve });
	const client = (): StandInClient => standIn.clients[standIn.clients.length - 1];
	await waitFor(() => standIn.clients.length === 1, 2_000, 'the stand-in client');
	client().emit('ready');
	return { ...gw, sent: () => client().sent };
}

/** A DNS stand-in: names map to addresses; every question is recorded; unknown names fail as ENOTFOUND. */
export function standInDns(names: Record<string, string[]>): { resolve: Resolve; asked: string[] } {
	const asked: string[] = [];
	const resolve: Resolve = async (host) => {
		asked.push(host);
		const addresses = names[host];
		if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
		return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
	};
	return { resolve, asked };
}

/** Every socket connection this process starts while the probe runs (the gateway runs in-process). */
export function recordConnections(): { targets(): string[]; stop(): void } {
	const spy = jest.spyOn(Socket.prototype, 'connect');
	return {
		targets: () =>
			spy.mock.calls.map(([first, second]) => {
				const options = (Array.isArray(first) ? first[0] : first) as { host?: string; port?: number } | number;
				return typeof options === 'object' ? `${options.host}:${options.port}` : `${second}:${options}`;
			}),
		stop: () => spy.mockRestore(),
	};
}

/** A server that streams `totalBytes` in 64 KiB chunks, counting what it managed to write before the client left. */
export async function startStreamingServer(
	totalBytes: number,
	declareLength: boolean,
): Promise<LoopbackServer & { written(): number; closed(): number }> {
	let written = 0;
	let closedResponses = 0;
	const chunk = Buffer.alloc(64 * 1024, 0x61);
	const server = await startLoopbackServer((_request: IncomingMessage, response: ServerResponse) => {
		response.writeHead(200, { 'Content-Type': 'video/mp4', ...(declareLength && { 'Content-Length': String(totalBytes) }) });
		let closed = false;
		response.once('close', () => {
			closed = true;
			closedResponses++;
		});
		const pump = () => {
			while (!closed && written < totalBytes) {
				written += chunk.length;
				if (!response.write(chunk)) return void response.once('drain', pump);
			}
			if (!closed) response.end();
		};
		pump();
	});
	return { ...server, written: () => written, closed: () => closedResponses };
}

/** Accepts connections and requests and never answers. */
export const startSilentServer = () => startLoopbackServer(() => undefined);

/** Stands in for a service inside the network: it would hand out a secret to anyone who asks. */
export const startInternalService = () =>
	startLoopbackServer((_request, response) => response.writeHead(200, { 'Content-Type': 'text/plain' }).end('INTERNAL-SECRET'));

/** A private Redis and an internal service for the probes of one test file (started in beforeAll). */
export function probeEnvironment(): { redis: TestRedis; internal: LoopbackServer } {
	const environment = {} as { redis: TestRedis; internal: LoopbackServer };
	beforeAll(async () => {
		environment.redis = await startRedis();
		environment.internal = await startInternalService();
	});
	afterAll(async () => {
		await environment.internal.stop();
		await environment.redis.stop();
	});
	return environment;
}

export const portOf = (server: LoopbackServer) => new URL(server.url).port;

export async function quotaUsed(gw: TestGateway): Promise<number> {
	const metrics = await gw.call('GET', '/metrics');
	return Number(/whatsapp_lite_quota_used\{suit="[^"]+"\} (\d+)/.exec(metrics.text)?.[1]);
}
