import { startGateway } from '../helpers/gateway';
import {
	recordConnections,
	standInDns,
	probeEnvironment,
	portOf,
	startProbeGateway,
	startStreamingServer,
	type ProbeGateway,
} from '../helpers/probes';
import { waitFor } from '../helpers/wait';

/**
 * Webhook probes (issue 10, item 2): registration refuses this host, link-local and metadata addresses (private
 * networks stay allowed: n8n beside the gateway), WEBHOOK_ALLOWED_HOSTS narrows, names are checked again when
 * delivering, registrations are limited and answers are read only up to WEBHOOK_MAX_ANSWER_BYTES.
 */
const env = probeEnvironment();

async function registered(gw: ProbeGateway): Promise<string[]> {
	return (await gw.call('GET', '/webhooks')).body.webhooks.map((webhook: { url: string }) => webhook.url);
}

describe('webhook registration', () => {
	let gw: ProbeGateway;
	beforeAll(async () => {
		gw = await startProbeGateway('sandbox', { redisUrl: env.redis.url });
	});
	afterAll(() => gw.stop());

	it('refuses loopback, link-local, unspecified and metadata targets, stores nothing and delivers nothing', async () => {
		const connections = recordConnections();
		try {
			const urls = [
				`http://127.0.0.1:${portOf(env.internal)}/hook`,
				`http://localhost:${portOf(env.internal)}/hook`,
				`http://[::1]:${portOf(env.internal)}/hook`,
				`http://[::ffff:127.0.0.1]:${portOf(env.internal)}/hook`,
				`http://0.0.0.0:${portOf(env.internal)}/hook`,
				'http://169.254.169.254/latest/meta-data/',
				'http://[fe80::1]/hook',
				'http://[fd00:ec2::254]/latest/meta-data/',
				'ftp://n8n.example/hook',
				'http://user:password@n8n.example/hook',
				`https://n8n.example/${'x'.repeat(2100)}`,
			];
			for (const url of urls) {
				const answer = await gw.call('POST', '/webhooks', { url });
				expect(answer.status).toBe(400);
				expect(answer.body.error).toMatchObject({ code: 'URL_NOT_ALLOWED', fix: expect.stringContaining('WEBHOOK_ALLOWED_HOSTS') });
			}
			expect(await registered(gw)).toEqual([]);
			await gw.call('POST', '/sandbox/inbound', { from: '4915123456789', body: 'an event nobody may get' });
			const forbidden = ['169.254.169.254', 'fe80::1', 'fd00:ec2::254', `:${portOf(env.internal)}`];
			expect(connections.targets().filter((target) => forbidden.some((address) => target.includes(address)))).toEqual([]);
		} finally {
			connections.stop();
		}
		expect(env.internal.connections()).toBe(0);
	});

	it('accepts a private-network target (n8n beside the gateway) without contacting it', async () => {
		const connections = recordConnections();
		try {
			const answer = await gw.call('POST', '/webhooks', { url: 'http://10.0.0.5:5678/webhook/abc', events: ['session'] });
			expect(answer.status).toBe(201);
			expect(await gw.call('DELETE', `/webhooks/${answer.body.id}`)).toMatchObject({ status: 204 });
			expect(connections.targets().filter((target) => target.startsWith('10.0.0.5'))).toEqual([]);
		} finally {
			connections.stop();
		}
	});
});

describe('WEBHOOK_ALLOWED_HOSTS', () => {
	it('narrows registration to the listed hosts', async () => {
		const gw = await startProbeGateway('sandbox', { redisUrl: env.redis.url, webhookAllowedHosts: ['n8n', '10.1.0.0/16'] });
		try {
			expect((await gw.call('POST', '/webhooks', { url: 'http://n8n:5678/webhook/a', events: ['session'] })).status).toBe(201);
			expect((await gw.call('POST', '/webhooks', { url: 'http://10.1.2.3:5678/webhook/b', events: ['session'] })).status).toBe(201);
			for (const url of ['http://10.2.0.1/webhook/c', 'http://192.168.0.2/webhook/d', 'http://127.0.0.1/webhook/e']) {
				const refused = await gw.call('POST', '/webhooks', { url });
				expect(refused.status).toBe(400);
				expect(refused.body.error.message).toContain('WEBHOOK_ALLOWED_HOSTS');
			}
			expect(await registered(gw)).toEqual(['http://n8n:5678/webhook/a', 'http://10.1.2.3:5678/webhook/b']);
		} finally {
			await gw.stop();
		}
	});
});

describe('webhook delivery', () => {
	it('resolves the target again at each delivery and refuses a name that now points at this host', async () => {
		const dns = standInDns({ 'hooks.test': ['127.0.0.1'] });
		const gw = await startProbeGateway('sandbox', { redisUrl: env.redis.url, webhookMaxAttempts: 2, webhookRetryBaseMs: 10 }, dns.resolve);
		try {
			expect(
				(await gw.call('POST', '/webhooks', { url: `http://hooks.test:${portOf(env.internal)}/hook`, events: ['message'] })).status,
			).toBe(201);
			await gw.call('POST', '/sandbox/inbound', { from: '4915123456789', body: 'to a rebound name' });
			await waitFor(
				async () => (await gw.call('GET', '/metrics')).text.includes('whatsapp_lite_webhook_deliveries_failed_total{suit="suit-1"} 1'),
				5_000,
				'the give-up',
			);
			expect(dns.asked.filter((host) => host === 'hooks.test')).toHaveLength(2);
			expect(env.internal.connections()).toBe(0);
		} finally {
			await gw.stop();
		}
	});

	it("reads at most WEBHOOK_MAX_ANSWER_BYTES of a receiver's 100 MB answer, and its 200 still counts as delivered", async () => {
		const huge = await startStreamingServer(100 * 1024 * 1024, false);
		// One attempt: a delivery not counted as delivered would be given up at once (the failure counter shows it).
		const gw = await startGateway({ redisUrl: env.redis.url, webhookMaxAttempts: 1 });
		try {
			await gw.call('POST', '/webhooks', { url: `${huge.url}/hook`, events: ['message'] });
			const rssBefore = process.memoryUsage().rss;
			await gw.call('POST', '/sandbox/inbound', { from: '4915123456789', body: 'answered with 100 MB' });
			// The gateway cuts the connection after 64 KiB; what the receiver managed to write is bounded by socket buffers.
			await waitFor(() => huge.closed() === 1, 5_000, 'the gateway to cut the answer off');
			expect((await gw.call('GET', '/metrics')).text).toContain('whatsapp_lite_webhook_deliveries_failed_total{suit="suit-1"} 0');
			expect(huge.written()).toBeLessThan(32 * 1024 * 1024);
			expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
			expect(huge.hits).toEqual(['/hook']);
		} finally {
			await gw.stop();
			await huge.stop();
		}
	});
});

describe('WEBHOOK_MAX_REGISTRATIONS', () => {
	it('refuses registrations past the limit, also when they arrive together, and still updates a registered URL', async () => {
		const gw = await startProbeGateway('sandbox', { redisUrl: env.redis.url, webhookMaxRegistrations: 3 });
		try {
			const answers = await Promise.all(
				Array.from({ length: 8 }, (_, i) => gw.call('POST', '/webhooks', { url: `https://n8n.example/webhook/${i}`, events: ['session'] })),
			);
			expect(answers.filter((answer) => answer.status === 201)).toHaveLength(3);
			for (const refused of answers.filter((answer) => answer.status !== 201)) {
				expect(refused.status).toBe(422);
				expect(refused.body.error).toMatchObject({ code: 'TOO_MANY_WEBHOOKS', fix: expect.stringContaining('WEBHOOK_MAX_REGISTRATIONS') });
			}
			const kept = await registered(gw);
			expect(kept).toHaveLength(3);
			expect((await gw.call('POST', '/webhooks', { url: kept[0], events: ['message'] })).status).toBe(201);
			expect(await registered(gw)).toHaveLength(3);
		} finally {
			await gw.stop();
		}
	});
});
