'use strict';
/**
 * The demo runs workflows with the same n8n-core harness the engine tests use (test/harness/engine.ts: real
 * WorkflowExecute, n8n's credential handling for generic auth), not a copy of it — but with the BUILT package:
 *
 * - test/harness/*.ts are transpiled in memory when required (the repo's own TypeScript, a dev dependency; no
 *   type checking, no files written; the hook applies to that folder only);
 * - their imports of the package's sources (`../../nodes/…`, `../../credentials/…`) are pointed at `dist/`, so
 *   the node and credential classes that run are exactly what `npm run build` produced and users install.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const HARNESS_DIR = path.join(ROOT, 'test', 'harness') + path.sep;
const DIST = path.join(ROOT, 'dist');

function loadHarness() {
	const ts = require('typescript');
	const previous = require.extensions['.ts'];
	require.extensions['.ts'] = (module, filename) => {
		if (!filename.startsWith(HARNESS_DIR)) {
			if (previous) return previous(module, filename);
			throw new Error(`demo: only test/harness/*.ts is transpiled, not ${filename} (the package itself must come from dist/)`);
		}
		const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
			fileName: filename,
			compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2021, esModuleInterop: true, sourceMap: false },
		});
		// test/harness is two levels below the root, like dist/nodes and dist/credentials are one below dist/.
		const toDist = outputText.replace(/require\("\.\.\/\.\.\/(nodes|credentials|contract)\//g, 'require("../../dist/$1/');
		module._compile(toDist, filename);
	};
	const harness = require(path.join(HARNESS_DIR, 'engine.ts'));

	const loadedFromDist = Object.keys(require.cache).some((file) => file.startsWith(path.join(DIST, 'nodes', 'WhatsAppSend') + path.sep));
	const loadedFromSource = Object.keys(require.cache).some((file) => /\.ts$/.test(file) && !file.startsWith(HARNESS_DIR));
	if (!loadedFromDist || loadedFromSource) throw new Error('demo: the harness did not load the built WhatsApp Send node from dist/');
	return harness;
}

module.exports = { loadHarness, ROOT, DIST };
