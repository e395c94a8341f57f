import { Writable } from 'node:stream';
import { startRedis, type TestRedis, uniquePrefix } from '../../test/harness/redis';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { API_KEY, SECRET, SUIT, stateDir } from './helpers/gateway';
import { spawnGateway } from './helpers/process';
import { startReceiver } from './helpers/receiver';
import { waitFor } from './helpers/wait';

/** The gateway's log lines, as its logger writes them, parsed. */
function capture() {
	const lines: string[] = [];
	const destination = new Writable({
		write(chunk: Buffer, _encoding, done) {
			lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
			done();
		},
	});
	return { destination, lines, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
	it('writes one JSON line per event: level, ISO time, message and the metadata as fields', () => {
		const { destination, entries } = capture();
		createLogger({ destination }).warn('Relay dropped an event', { subscriber: 's1', cause: 'ECONNREFUSED' });
		expect(entries()).toEqual([
			{
				level: 'warn',
				time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
				msg: 'Relay dropped an event',
				subscriber: 's1',
				cause: 'ECONNREFUSED',
			},
		]);
	});

	it('masks the secrets it was given wherever they appear, and secret fields whatever their value', () => {
		const { destination, lines, entries } = capture();
		const log = createLogger({ destination, secrets: ['the-api-key-value', 'app"secret\\value'] });
		log.error('Request with the-api-key-value failed', { cause: 'bad app"secret\\value here', nested: { note: 'the-api-key-value' } });
		log.info('A caller', { headers: { authorization: 'Bearer someone-elses-token', appapikey: 'a-wrong-key' }, apiKey: 'another-key' });
		const text = lines.join('\n');
		for (const secret of ['the-api-key-value', 'app\\"secret\\\\value', 'someone-elses-token', 'a-wrong-key', 'another-key'])
			expect(text).not.toContain(secret);
		expect(entries()).toEqual([
			expect.objectContaining({ msg: 'Request with [redacted] failed', cause: 'bad [redacted] here', nested: { note: '[redacted]' } }),
			expect.objectContaining({ headers: { authorization: '[redacted]', appapikey: '[redacted]' }, apiKey: '[redacted]' }),
		]);
	});

	it('leaves out what is below its level (LOG_LEVEL), and a level it does not know stops the start', () => {
		const { destination, lines } = capture();
		createLogger({ destination, level: loadConfig({ LOG_LEVEL: 'WARN' }).logLevel }).info('not written');
		expect(lines).toEqual([]);
		expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow('LOG_LEVEL="verbose" must be one of debug, info, warn, error');
	});
});

describe('the gateway process (lite/src/main.ts)', () => {
	let redis: TestRedis;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => await redis.stop());

	it('logs JSON lines, and none holds the API key, the webhook secret or a relay app secret, through a refused delivery and a shutdown', async () => {
		const relaySecrets = { appSecret: 'relay-app-secret-value', verifyToken: 'relay-verify-token-value' };
		// Refuses every delivery: the gateway logs that it gave up on it.
		const receiver = await startReceiver([500, 500, 500]);
		const gateway = await spawnGateway({
			REDIS_URL: redis.url,
			REDIS_KEY_PREFIX: uniquePrefix(),
			STATE_DIR: stateDir(),
			WEBHOOK_SECRET: SECRET,
			WEBHOOK_MAX_ATTEMPTS: '2',
			WEBHOOK_RETRY_BASE_MS: '10',
			RELAY_APPS: JSON.stringify({ shop: relaySecrets }),
		});
		try {
			await gateway.call('POST', '/webhooks', { url: receiver.url, events: ['message'] });
			await gateway.call('POST', '/sandbox/inbound', { from: '4915123456789', body: `my key is ${API_KEY}` });
			await waitFor(() => /Gave up delivering/.test(gateway.output()), 20_000, 'the gateway to give up on the delivery');
		} finally {
			await gateway.stop();
			await receiver.stop();
		}
		const lines = gateway.output().split('\n').filter(Boolean);
		const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
		expect(entries).toContainEqual(expect.objectContaining({ level: 'info', msg: expect.stringMatching(new RegExp(`suit ${SUIT}`)) }));
		expect(entries).toContainEqual(expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/^Gave up delivering/) }));
		for (const secret of [API_KEY, SECRET, relaySecrets.appSecret, relaySecrets.verifyToken])
			expect(lines.join('\n')).not.toContain(secret);
	});
});
