import type { ICredentialType, INodeProperties } from 'n8n-workflow';

// Not an HTTP API: tested by every node that uses it (testedBy: whatsAppRedisTest, nodes/whatsapp/n8n/store.ts), which
// connects as the nodes do and reports Redis's own answer.
// eslint-disable-next-line @n8n/community-nodes/credential-test-required
export class WhatsAppRedis implements ICredentialType {
	name = 'whatsAppRedis';

	displayName = 'WhatsApp Shared State (Redis, Optional)';

	icon = { light: 'file:../icons/whatsapp-automator.svg', dark: 'file:../icons/whatsapp-automator.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-whatsapp-automator/n8n-nodes-whatsapp-automator#state-redis';

	properties: INodeProperties[] = [
		{
			displayName: 'Redis Cluster',
			name: 'cluster',
			type: 'boolean',
			default: false,
			description:
				'Whether the Redis is a Redis Cluster. Host and Port then name one of its nodes (the others are found from it), and Key Prefix must hold a hash tag such as {wa}:.',
		},
		{ displayName: 'Host', name: 'host', type: 'string', default: 'localhost', required: true },
		{ displayName: 'Port', name: 'port', type: 'number', default: 6379 },
		{ displayName: 'Password', name: 'password', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Database Number', name: 'database', type: 'number', default: 0 },
		{ displayName: 'SSL/TLS', name: 'tls', type: 'boolean', default: false },
		{
			displayName: 'Key Prefix',
			name: 'keyPrefix',
			type: 'string',
			default: '',
			placeholder: 'n8n:',
			description:
				'Put before every key, to share a Redis with other applications. A Lite container shares the daily quota when its REDIS_KEY_PREFIX is the same (empty for both by default). On a Redis Cluster it must hold a hash tag, e.g. {wa}:, which puts all keys of the nodes in one slot.',
		},
	];
}
