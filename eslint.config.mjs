import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
	...configWithoutCloudSupport,
	{
		// ioredis is the package's one runtime dependency: quota, campaign ledger and rate limits must be shared
		// by every n8n worker, which in-process state cannot do. Nothing else is bundled.
		files: ['package.json'],
		rules: { '@n8n/community-nodes/no-runtime-dependencies': 'off' },
	},
];
