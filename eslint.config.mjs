import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
	...configWithoutCloudSupport,
	{
		// ioredis is the package's one runtime dependency: quota, campaign ledger and rate limits must be shared
		// by every n8n worker, which in-process state cannot do. Nothing else is bundled.
		files: ['package.json'],
		rules: { '@n8n/community-nodes/no-runtime-dependencies': 'off' },
	},
	{
		// Leaving a key out by destructuring it into `_` is how the code copies an object without that key.
		files: ['**/*.ts'],
		rules: { '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }] },
	},
	{
		// The gateway and the tests do not run inside n8n: the gateway is its own HTTP service with its own error
		// answers, and the tests start redis-server and openssl and define test nodes. n8n's community-node rules
		// are for code n8n loads.
		files: ['lite/src/**', 'test/**'],
		rules: {
			'@n8n/community-nodes/require-node-api-error': 'off',
			'@n8n/community-nodes/no-dangerous-functions': 'off',
			'@n8n/community-nodes/node-usable-as-tool': 'off',
		},
	},
	{
		// The gateway's logger writes its lines to stdout and stderr.
		files: ['lite/src/log.ts'],
		rules: { 'no-console': 'off' },
	},
	{
		// The fakes and fixtures walk request bodies of any shape (Meta's wire JSON) the way a real server reads them.
		files: ['test/fakes/**', 'test/templates/fixtures.ts', 'test/sandbox/**'],
		rules: { '@typescript-eslint/no-explicit-any': 'off' },
	},
];
