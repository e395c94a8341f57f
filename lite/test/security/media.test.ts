import type { ServerResponse } from 'node:http';
import type { Config } from '../../src/config';
import type { Resolve } from '../../src/outbound/fetch';
import { startLoopbackServer } from '../helpers/loopbackServer';
import {
	DRIVERS,
	quotaUsed,
	recordConnections,
	standInDns,
	probeEnvironment,
	portOf,
	startProbeGateway,
	startSilentServer,
	startStreamingServer,
	type ProbeGateway,
} from '../helpers/probes';
import { StandInMedia } from '../helpers/standInWwebjs';
import { waitFor } from '../helpers/wait';

/**
 * Media-URL SSRF probes (issue 10, item 1). Loopback servers stand in for internal services; `media.test` is the
 * one host MEDIA_ALLOWED_HOSTS opens (a stand-in DNS answers 127.0.0.1 for it), everything else is judged by the
 * default policy. Every probe asserts the refusal, that the internal service saw nothing, that nothing reached
 * WhatsApp and that the quota is unchanged; each runs with the sandbox and with the whatsapp-web.js driver.
 */
const env = probeEnvironment();
const dns = standInDns({ 'media.test': ['127.0.0.1'], 'internal.test': ['127.0.0.1'], 'mixed.test': ['93.184.215.14', '127.0.0.1'] });
afterEach(() => expect(StandInMedia.fromUrlCalls).toEqual([]));

describe.each(DRIVERS)('media URL probes with the %s driver', (driver) => {
	let gw: ProbeGateway;
	beforeAll(async () => {
		gw = await startProbeGateway(driver, { redisUrl: env.redis.url, mediaAllowedHosts: ['media.test'] }, dns.resolve);
	});
	afterAll(() => gw.stop());
	beforeEach(() => {
		env.internal.hits.length = 0;
	});

	/** Sends one image by URL and checks that nothing was sent or counted; returns the error answer. */
	async function refusedSend(imageUrl: string, status: number): Promise<{ code: string; message: string; fix: string }> {
		const quotaBefore = await quotaUsed(gw);
		const answer = await gw.call('POST', '/api/send-message', { number: '4915123456789', imageUrl });
		expect(answer.status).toBe(status);
		expect(gw.sent()).toHaveLength(0);
		expect(await quotaUsed(gw)).toBe(quotaBefore);
		return answer.body.error;
	}

	it('refuses an internal service by loopback address or name without connecting to it', async () => {
		const connections = recordConnections();
		try {
			for (const host of ['127.0.0.1', 'localhost', '[::1]', '[::ffff:127.0.0.1]', '0.0.0.0', '127.1']) {
				const error = await refusedSend(`http://${host}:${portOf(env.internal)}/secret`, 400);
				expect(error).toMatchObject({ code: 'URL_NOT_ALLOWED', fix: expect.stringContaining('MEDIA_ALLOWED_HOSTS') });
				expect(error.message).not.toContain('/secret');
			}
			expect(connections.targets().filter((target) => target.endsWith(`:${portOf(env.internal)}`))).toEqual([]);
		} finally {
			connections.stop();
		}
		expect(env.internal.hits).toEqual([]);
		expect(env.internal.connections()).toBe(0);
	});

	it('refuses private, link-local, CGNAT, unique-local and multicast addresses and the metadata service with no traffic', async () => {
		const connections = recordConnections();
		try {
			const hosts = [
				'169.254.169.254',
				'10.0.0.1',
				'172.16.5.4',
				'192.168.1.1',
				'100.64.0.1',
				'[fd00::1]',
				'[fe80::1]',
				'224.0.0.1',
				'[fd00:ec2::254]',
			];
			for (const host of hosts) expect((await refusedSend(`http://${host}/latest/meta-data/`, 400)).code).toBe('URL_NOT_ALLOWED');
			const targets = connections.targets();
			for (const host of hosts) expect(targets.filter((target) => target.startsWith(host.replace(/[[\]]/g, '')))).toEqual([]);
		} finally {
			connections.stop();
		}
	});

	it('resolves a name and refuses it when any address is internal, connecting nowhere', async () => {
		const connectionsBefore = env.internal.connections();
		for (const host of ['internal.test', 'mixed.test']) {
			const error = await refusedSend(`http://${host}:${portOf(env.internal)}/secret`, 400);
			expect(error).toMatchObject({ code: 'URL_NOT_ALLOWED', message: expect.stringContaining('127.0.0.1') });
			expect(dns.asked).toContain(host);
		}
		expect(env.internal.connections()).toBe(connectionsBefore);
		expect(env.internal.hits).toEqual([]);
	});

	it('checks every redirect again: an allowed host cannot send the fetch to an internal one', async () => {
		const targets = [
			`http://127.0.0.1:${portOf(env.internal)}/secret`,
			`http://internal.test:${portOf(env.internal)}/secret`,
			'http://169.254.169.254/latest/meta-data/',
		];
		const redirector = await startLoopbackServer((request, response) =>
			response.writeHead(302, { Location: targets[Number(request.url?.slice(1))] }).end(),
		);
		try {
			for (const index of targets.keys()) {
				const error = await refusedSend(`http://media.test:${portOf(redirector)}/${index}`, 400);
				expect(error.code).toBe('URL_NOT_ALLOWED');
			}
			expect(redirector.hits).toEqual(['/0', '/1', '/2']);
			expect(env.internal.hits).toEqual([]);
		} finally {
			await redirector.stop();
		}
	});

	it('stops following redirects after MEDIA_MAX_REDIRECTS, and at a Location that is not a URL', async () => {
		const looping = await startLoopbackServer((request, response) =>
			response.writeHead(301, { Location: request.url === '/bad' ? 'http://[' : `${request.url}x` }).end(),
		);
		try {
			const error = await refusedSend(`http://media.test:${portOf(looping)}/a`, 422);
			expect(error).toMatchObject({ code: 'MEDIA_UNAVAILABLE', message: expect.stringContaining('redirected more than 3 times') });
			expect(looping.hits).toEqual(['/a', '/ax', '/axx', '/axxx']);
			expect((await refusedSend(`http://media.test:${portOf(looping)}/bad`, 422)).message).toContain(
				'redirected to something that is not a URL',
			);
		} finally {
			await looping.stop();
		}
	});

	it('cuts off a 200 MB answer at MAX_MEDIA_URL_BYTES while streaming, with bounded memory', async () => {
		const huge = await startStreamingServer(200 * 1024 * 1024, false);
		try {
			const rssBefore = process.memoryUsage().rss;
			const error = await refusedSend(`http://media.test:${portOf(huge)}/huge.mp4`, 413);
			expect(error).toMatchObject({ code: 'MEDIA_TOO_LARGE', fix: expect.stringContaining('MAX_MEDIA_URL_BYTES') });
			const growth = process.memoryUsage().rss - rssBefore;
			// Before the cap, this answer grew RSS by about 687 MB; the cap is 16 MiB.
			expect(growth).toBeLessThan(150 * 1024 * 1024);
			expect(huge.written()).toBeLessThan(64 * 1024 * 1024);
		} finally {
			await huge.stop();
		}
	});

	it('refuses a declared Content-Length over the cap before reading the body', async () => {
		const huge = await startStreamingServer(200 * 1024 * 1024, true);
		try {
			expect((await refusedSend(`http://media.test:${portOf(huge)}/huge.mp4`, 413)).code).toBe('MEDIA_TOO_LARGE');
			expect(huge.written()).toBeLessThan(64 * 1024 * 1024);
		} finally {
			await huge.stop();
		}
	});

	it('refuses the same URLs in a campaign before queueing anyone', async () => {
		const answer = await gw.call('POST', '/suit-1/send', {
			UOWHATSAPP: {
				message: 'x',
				receivers: [{ mobileNum: '4915123456789' }],
				imageUrl: `http://127.0.0.1:${portOf(env.internal)}/secret`,
			},
		});
		expect(answer.status).toBe(400);
		expect(answer.body.error.code).toBe('URL_NOT_ALLOWED');
		expect((await gw.call('GET', '/metrics')).text).toContain('whatsapp_lite_campaign_queue_depth{suit="suit-1"} 0');
		expect(env.internal.hits).toEqual([]);
	});
});

describe.each(DRIVERS)('media hosts that never answer, with the %s driver', (driver) => {
	async function hangingSend(overrides: Partial<Config>, imageUrl: string, resolve: Resolve): Promise<string> {
		const gw = await startProbeGateway(
			driver,
			{ redisUrl: env.redis.url, mediaAllowedHosts: ['media.test', 'stuck.test'], ...overrides },
			resolve,
		);
		try {
			const quotaBefore = await quotaUsed(gw);
			const answer = await gw.call('POST', '/api/send-message', { number: '4915123456789', imageUrl });
			expect(answer.status).toBe(422);
			expect(answer.body.error.code).toBe('MEDIA_UNAVAILABLE');
			expect(gw.sent()).toHaveLength(0);
			expect(await quotaUsed(gw)).toBe(quotaBefore);
			return answer.body.error.message;
		} finally {
			await gw.stop();
		}
	}

	it('gives up on a server that never answers after MEDIA_FETCH_TIMEOUT_MS', async () => {
		const silent = await startSilentServer();
		try {
			const message = await hangingSend({ mediaFetchTimeoutMs: 300 }, `http://media.test:${portOf(silent)}/a.jpg`, dns.resolve);
			expect(message).toContain('did not answer within 300 ms');
			expect(silent.hits).toEqual(['/a.jpg']);
		} finally {
			await silent.stop();
		}
	});

	it('gives up on a host whose name never resolves after OUTBOUND_CONNECT_TIMEOUT_MS', async () => {
		const stuck: Resolve = () => new Promise<never>(() => undefined);
		const message = await hangingSend({ outboundConnectTimeoutMs: 300 }, 'http://stuck.test/a.jpg', stuck);
		expect(message).toContain('did not accept a connection within 300 ms');
	});
});

describe.each(DRIVERS)('many media fetches at once, with the %s driver', (driver) => {
	it('fetches at most MEDIA_FETCH_CONCURRENCY at once, lets MEDIA_FETCH_QUEUE wait and refuses the rest at once', async () => {
		const held: ServerResponse[] = [];
		const answer = (response: ServerResponse) => response.writeHead(200, { 'Content-Type': 'image/jpeg' }).end('jpeg');
		let holding = true;
		const slow = await startLoopbackServer((_request, response) => (holding ? held.push(response) : answer(response)));
		const gw = await startProbeGateway(
			driver,
			{ redisUrl: env.redis.url, mediaAllowedHosts: ['media.test'], mediaFetchConcurrency: 1, mediaFetchQueue: 1 },
			dns.resolve,
		);
		try {
			const send = (name: string) =>
				gw.call('POST', '/api/send-message', { number: '4915123456789', imageUrl: `http://media.test:${portOf(slow)}/${name}.jpg` });
			const first = send('first');
			await waitFor(() => held.length === 1, 5_000, 'the first fetch');
			const others = [send('second'), send('third')];
			// One of them waits for the held fetch; the other finds the line full and is answered at once.
			const refused = await Promise.race(others);
			expect(refused.status).toBe(422);
			expect(refused.body.error).toMatchObject({
				code: 'MEDIA_UNAVAILABLE',
				message: expect.stringContaining('busy fetching media (1 running and 1 waiting)'),
			});
			expect(slow.hits).toHaveLength(1);
			holding = false;
			held.forEach(answer);
			const statuses = (await Promise.all([first, ...others])).map((result) => result.status);
			expect(statuses.sort()).toEqual([200, 200, 422]);
			expect(slow.hits).toHaveLength(2);
			expect(gw.sent()).toHaveLength(2);
		} finally {
			await gw.stop();
			await slow.stop();
		}
	});
});
