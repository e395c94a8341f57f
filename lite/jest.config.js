/** The Lite gateway's tests; the root runs them with `npm run test:lite` (jest from the root devDependencies). */
module.exports = {
	displayName: 'lite',
	rootDir: __dirname,
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// The contract test runs the nodes' trigger through n8n-core, whose executions start a timer this stops.
	setupFilesAfterEnv: ['<rootDir>/../test/harness/n8nTimers.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json', isolatedModules: true }] },
};
