'use strict';
/**
 * Lets the plain-JavaScript bench use the test harness (test/harness/*.ts: n8n-core's real WorkflowExecute) without
 * a second copy of it. Two rules:
 *
 * - test/**.ts is transpiled in memory (test/harness/registerTypeScript.js);
 * - nodes/**.ts and credentials/**.ts are NOT transpiled: imports of them from test files resolve to the built file
 *   in dist/ instead, so the bench measures exactly what `npm run build` ships (the bench script builds first).
 *
 * Anything else fails loudly.
 */
const fs = require('node:fs');
const path = require('node:path');

const { allowTypeScript, ROOT } = require('../../test/harness/registerTypeScript');

const TEST_DIR = path.join(ROOT, 'test') + path.sep;
const BUILT = [path.join(ROOT, 'nodes') + path.sep, path.join(ROOT, 'credentials') + path.sep];
let installed = false;

function install() {
	if (installed) return;
	installed = true;
	const Module = require('node:module');
	// Imports of the sources from test files resolve to dist/ (by path: "WhatsAppSend.node" would otherwise find the
	// codex file WhatsAppSend.node.json next to the .ts source).
	const resolveFilename = Module._resolveFilename;
	Module._resolveFilename = function (request, parent, ...rest) {
		if (request.startsWith('.') && parent?.filename?.startsWith(TEST_DIR)) {
			const target = path.resolve(path.dirname(parent.filename), request);
			if (BUILT.some((dir) => target.startsWith(dir))) {
				const built = path.join(ROOT, 'dist', path.relative(ROOT, target)) + '.js';
				if (!fs.existsSync(built)) throw new Error(`bench: ${built} is missing; run "npm run build" (npm run bench does)`);
				return built;
			}
		}
		return resolveFilename.call(this, request, parent, ...rest);
	};
	allowTypeScript('test');
}

/** require() of a repo file by its path from the repo root, e.g. 'test/harness/engine'. */
function requireFromRoot(relative) {
	install();
	return require(path.join(ROOT, relative));
}

module.exports = { requireFromRoot, ROOT };
