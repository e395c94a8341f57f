'use strict';
/**
 * The one `.ts` require hook of the plain-JavaScript runners (the e2e runner, the bench, scripts/, the gateway's crash
 * tests): a TypeScript file under an allowed folder is transpiled in memory with the repo's own TypeScript when it is
 * required — type-only like ts-jest's isolatedModules, no type checking (tsc and jest check these files), no files
 * written. Any other `.ts` file fails loudly, so a runner loads no more source than it means to.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const allowed = new Set();

function transpile(module, filename) {
	if (![...allowed].some((folder) => filename.startsWith(folder))) {
		throw new Error(`Only TypeScript under ${[...allowed].join(', ')} may be required here, not ${filename}`);
	}
	const ts = require('typescript');
	const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
		fileName: filename,
		compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
	});
	module._compile(outputText, filename);
}

/** Lets require() load the TypeScript under these folders, given from the repo root (e.g. 'test/fakes'). */
function allowTypeScript(...folders) {
	for (const folder of folders) allowed.add(path.join(ROOT, folder) + path.sep);
	require.extensions['.ts'] = transpile;
}

module.exports = { allowTypeScript, ROOT };
