'use strict';
/**
 * The fake Lite container (test/fakes/liteContainer.ts) judges send bodies with the gateway's own code
 * (lite/src/send/request.ts, which uses nodes/whatsapp/phone.ts and errors.ts), so it needs more TypeScript than
 * lib/loadTypeScript.js lets through (test/fakes only). This hook adds exactly those source folders, transpiled
 * in memory the same way (no type checking, no files written), and hands every other file to the hook before it.
 */
const fs = require('node:fs');
const path = require('node:path');
const { requireTypeScriptFake } = require('./loadTypeScript');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ALLOWED = ['test/fakes', 'lite/src', 'nodes/whatsapp'].map((folder) => path.join(ROOT, folder) + path.sep);

function requireFakeLiteContainer() {
	const ts = require('typescript');
	const previous = require.extensions['.ts'];
	require.extensions['.ts'] = (module, filename) => {
		if (!ALLOWED.some((folder) => filename.startsWith(folder))) {
			if (previous) return previous(module, filename);
			throw new Error(`e2e: the fake Lite container may only require TypeScript from ${ALLOWED.join(', ')}, not ${filename}`);
		}
		const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
			fileName: filename,
			compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2021, esModuleInterop: true, sourceMap: false },
		});
		module._compile(outputText, filename);
	};
	// lib/loadTypeScript.js puts its hook on top of this one: test/fakes there, the rest here.
	return requireTypeScriptFake('liteContainer.ts');
}

module.exports = { requireFakeLiteContainer };
