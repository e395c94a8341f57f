/**
 * n8n-core starts a one-minute SSH clean-up timer with each execution; stopping it after each test file lets jest
 * exit on its own. Registered for every test file by jest.config.js (setupFilesAfterEnv); the benches call it.
 */
export function stopN8nTimers() {
	// n8n-core's own DI container (its @n8n/di copy), not whichever one the tests would resolve.
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved at run time from n8n-core's folder
	const fromCore = (id: string) => require(require.resolve(id, { paths: [require.resolve('n8n-core')] }));
	const { Container } = fromCore('@n8n/di');
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module n8n-core does not export
	const { SSHClientsManager } = require('n8n-core/dist/execution-engine/ssh-clients-manager');
	if (Container.has(SSHClientsManager)) Container.get(SSHClientsManager).onShutdown();
}

// Outside jest (a bench) there is no afterAll.
if (typeof afterAll === 'function') afterAll(stopN8nTimers);
