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
			transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
			testTimeout: 30_000,
		},
		'<rootDir>/lite/jest.config.js',
	],
};
