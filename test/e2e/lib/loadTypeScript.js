'use strict';
/**
 * Lets this plain-JavaScript runner require the unit tests' TypeScript fakes (test/fakes/*.ts), so the e2e run
 * talks to the very same fake Graph API the engine tests use, not a second copy that could drift.
 *
 * Each .ts file under test/fakes is transpiled in memory with the repo's own TypeScript (a dev dependency)
 * to CommonJS when it is required: type-only, no type checking (jest/tsc already check these files), no files
 * written, and the hook only applies to that folder.
 */
const fs = require('node:fs');
const path = require('node:path');

const FAKES_DIR = path.resolve(__dirname, '..', '..', 'fakes') + path.sep;

function requireTypeScriptFake(name) {
	const ts = require('typescript');
	const previous = require.extensions['.ts'];
	require.extensions['.ts'] = (module, filename) => {
		if (!filename.startsWith(FAKES_DIR)) {
			if (previous) return previous(module, filename);
			throw new Error(`e2e: only test/fakes/*.ts can be required from the e2e runner, not ${filename}`);
		}
		const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
			fileName: filename,
			compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2021, esModuleInterop: true, sourceMap: false },
		});
		module._compile(outputText, filename);
	};
	return require(path.join(FAKES_DIR, name));
}

module.exports = { requireTypeScriptFake };
