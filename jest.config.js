/** `npm test` runs the nodes package's tests and the Lite gateway's (lite/jest.config.js) in one jest run. */
module.exports = {
	projects: [
		{
			displayName: 'nodes',
			preset: 'ts-jest',
			testEnvironment: 'node',
			rootDir: __dirname,
			roots: ['<rootDir>/test'],
			testMatch: ['**/*.test.ts'],
			setupFilesAfterEnv: ['<rootDir>/test/harness/n8nTimers.ts'],
			transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
		},
		'<rootDir>/lite/jest.config.js',
	],
	testTimeout: 30_000,
};
