import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CredentialTestContext } from 'n8n-core';
import type { ICredentialTestFunctions } from 'n8n-workflow';
import { WhatsAppSend } from '../../nodes/WhatsAppSend/WhatsAppSend.node';
import { freePort, startRedis, type TestRedis } from '../harness/redis';
import { credentialsFor, useBackends } from './fixtures';

const backends = useBackends();
const node = new WhatsAppSend();

/** Runs a credential test the way n8n does: n8n-core's CredentialTestContext, whose `request` is n8n's real helper. */
async function testCredential(type: 'whatsAppCloudApi' | 'whatsAppLiteApi', overrides: { accessToken?: string; apiKey?: string } = {}) {
	const data = credentialsFor(backends().graph, backends().lite, overrides)[type];
	const method =
		type === 'whatsAppCloudApi' ? node.methods.credentialTest.whatsAppCloudApiTest : node.methods.credentialTest.whatsAppLiteApiTest;
	return await method.call(new CredentialTestContext() as unknown as ICredentialTestFunctions, { id: '1', name: 'Test', type, data });
}

test('Cloud API credential test: OK with the verified business name and number', async () => {
	expect(await testCredential('whatsAppCloudApi')).toEqual({ status: 'OK', message: 'Connected to Test Business (+1 555-010-0000)' });
});

test("Cloud API credential test: a wrong token is an Error quoting Meta's text and saying to create a new token", async () => {
	const result = await testCredential('whatsAppCloudApi', { accessToken: 'EAAG-wrong' });

	expect(result.status).toBe('Error');
	expect(result.message).toContain('Error validating access token: Session has expired.');
	expect(result.message).toContain('Create a new access token');
});

test('Lite credential test: OK when the session is ready', async () => {
	expect(await testCredential('whatsAppLiteApi')).toEqual({ status: 'OK', message: 'WhatsApp session ready' });
});

test('Lite credential test: a session not authenticated is an Error saying to scan the QR code', async () => {
	backends().lite.state.authenticated = false;

	const result = await testCredential('whatsAppLiteApi');

	expect(result).toEqual({
		status: 'Error',
		message: `The WhatsApp session is not authenticated (waiting_for_scan): open ${backends().lite.url}/whatsapp-login and scan the QR code with the phone`,
	});
});

test('Lite credential test: a wrong API key is an Error naming the key', async () => {
	const result = await testCredential('whatsAppLiteApi', { apiKey: 'wrong-key' });

	expect(result.status).toBe('Error');
	expect(result.message).toContain('Invalid API key');
	expect(result.message).toContain('Check the API key in the WhatsApp Lite Container credential');
});

test('the node is usable as an AI tool and every operation has an action', () => {
	const operation = node.description.properties.find((property) => property.name === 'operation');

	expect(node.description.usableAsTool).toBe(true);
	expect(operation?.options?.length).toBeGreaterThan(0);
	expect(operation?.options?.filter((option) => !('action' in option) || !option.action)).toEqual([]);
});

test('the codex file names this node and each credential names a test the node provides', () => {
	const codex = JSON.parse(readFileSync(join(__dirname, '../../nodes/WhatsAppSend/WhatsAppSend.node.json'), 'utf8'));

	expect(codex.node).toBe(`n8n-nodes-whatsapp-automator.${node.description.name}`);
	const testedBy = (node.description.credentials ?? []).map((credential) => credential.testedBy).filter(Boolean);
	expect(testedBy.length).toBeGreaterThan(0);
	for (const name of testedBy) expect(Object.keys(node.methods.credentialTest)).toContain(name);
});

describe('Redis credential test (a real redis-server)', () => {
	let redis: TestRedis;
	beforeAll(async () => (redis = await startRedis()));
	afterAll(async () => await redis.stop());
	const testRedis = async (data: Record<string, unknown>) =>
		await node.methods.credentialTest.whatsAppRedisTest.call(new CredentialTestContext() as unknown as ICredentialTestFunctions, {
			id: '1',
			name: 'Test',
			type: 'whatsAppRedis',
			data: { database: 0, tls: false, keyPrefix: '', password: '', ...data },
		});

	test('OK naming the Redis it reached', async () => {
		const { hostname, port } = new URL(redis.url);
		expect(await testRedis({ host: hostname, port: Number(port), database: 2 })).toEqual({
			status: 'OK',
			message: `Connected to Redis at ${hostname}:${port}, database 2`,
		});
	});

	test('nothing listening: an Error with the cause and what to check', async () => {
		const port = await freePort();
		expect(await testRedis({ host: '127.0.0.1', port })).toEqual({
			status: 'Error',
			message: `Redis at 127.0.0.1:${port} did not answer: nothing listens on that port (ECONNREFUSED). Check host, port, password and TLS in the WhatsApp Shared State (Redis) credential, and that Redis is running.`,
		});
	});
});
