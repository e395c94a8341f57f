import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';

/** Start-up probes (issue 10, item 3): a real WhatsApp session never runs behind a guessable key. */
const wwebjs = (env: Record<string, string>) => () => loadConfig({ DRIVER: 'wwebjs', ...env });
const exampleEnv = Object.fromEntries(
	readFileSync(join(__dirname, '../../.env.example'), 'utf8')
		.split('\n')
		.filter((line) => /^[A-Z_]+=/.test(line))
		.map((line) => line.split(/=(.*)/s).slice(0, 2)),
);
// 24 hex digits, as `openssl rand -hex 12` prints them.
const goodKey = '9f3c27d04be1a85e6d0c4f7a';

it('refuses to start DRIVER=wwebjs with the example key, the example webhook secret or a key under 24 characters', () => {
	expect(wwebjs({ API_KEY: exampleEnv.API_KEY })).toThrow('API_KEY is still the example value from .env.example');
	expect(wwebjs({ API_KEY: goodKey, WEBHOOK_SECRET: exampleEnv.WEBHOOK_SECRET })).toThrow('WEBHOOK_SECRET is still the example value');
	expect(wwebjs({})).toThrow('API_KEY is required with DRIVER=wwebjs');
	const shortKey = 's3cret-but-short-23char';
	expect(wwebjs({ API_KEY: shortKey })).toThrow('API_KEY has 23 characters, fewer than 24');
	try {
		wwebjs({ API_KEY: shortKey })();
	} catch (error) {
		expect(String(error)).not.toContain(shortKey);
	}
	expect(loadConfig({ DRIVER: 'wwebjs', API_KEY: goodKey })).toMatchObject({ driver: 'wwebjs', apiKey: goodKey });
});

it.each([
	['one character repeated', 'a'.repeat(24), 'one short string repeated'],
	['a word repeated', 'password'.repeat(3), 'one short string repeated'],
	['a word repeated, cut', 'password'.repeat(4).slice(0, 30), 'one short string repeated'],
	['the placeholder in upper case', 'CHANGE-ME-TO-A-LONG-RANDOM-STRING', 'still the example value'],
	['few distinct characters', 'abababababababababababbb', 'too predictable'],
])('refuses DRIVER=wwebjs with a long but weak key: %s', (_, key, reason) => {
	expect(wwebjs({ API_KEY: key })).toThrow(reason);
	expect(wwebjs({ API_KEY: key })).toThrow('openssl rand -hex 32');
	expect(() => wwebjs({ API_KEY: key })()).not.toThrow(key);
});

it('takes random keys as `openssl rand` prints them', () => {
	for (const key of [goodKey, 'Zx8nq2L0v+Wm/4Hs1Tf9aQ==', 'b7e4c1d09a2f3e5b6c8d7a1f0e9b2c4d5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d'])
		expect(loadConfig({ DRIVER: 'wwebjs', API_KEY: key }).apiKey).toBe(key);
});

it('lets the sandbox demo run with any key or none (it sends nothing real)', () => {
	expect(loadConfig({ API_KEY: 'short' }).apiKey).toBe('short');
	expect(loadConfig({}).apiKey).toBeUndefined();
});

it('starts with both allow-lists empty: media only from public addresses, webhooks anywhere but this host and link-local', () => {
	expect(loadConfig({})).toMatchObject({ mediaAllowedHosts: [], webhookAllowedHosts: [] });
	expect(loadConfig({ MEDIA_ALLOWED_HOSTS: ' cdn.internal , 10.0.0.0/8 ,' }).mediaAllowedHosts).toEqual(['cdn.internal', '10.0.0.0/8']);
});

it('publishes every docker compose port on 127.0.0.1 only', () => {
	const compose = readFileSync(join(__dirname, '../../../docker-compose.yml'), 'utf8');
	const published = [...compose.matchAll(/^\s+ports:\n((?:\s+- .*\n)+)/gm)].flatMap((match) =>
		match[1]
			.trim()
			.split('\n')
			.map((line) => line.replace(/^\s*- /, '').replace(/["']/g, '')),
	);
	expect(published).toEqual(['127.0.0.1:3000:3000', '127.0.0.1:5678:5678']);
});
