import { execFileSync } from 'node:child_process';
import path from 'node:path';

// `npm start`, the browser tests and the e2e run load the fakes outside jest, through the one require hook that
// transpiles only the folders it is told (test/e2e/lib/loadTypeScript.js): a fake that imports from elsewhere works
// in jest and breaks them. Each fake those runners load is required here the way they do.
const ROOT = path.resolve(__dirname, '..', '..');
const LOADED_BY_RUNNERS = ['cloudSandbox.ts', 'graphApi.ts', 'metaWebhook.ts'];

it.each(LOADED_BY_RUNNERS)('%s loads through the runners’ require hook', (fake) => {
	const script = `const { requireTypeScriptFake } = require('./test/e2e/lib/loadTypeScript'); requireTypeScriptFake(${JSON.stringify(fake)});`;
	expect(() => execFileSync(process.execPath, ['-e', script], { cwd: ROOT, stdio: 'pipe' })).not.toThrow();
});
