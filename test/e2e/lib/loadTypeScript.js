'use strict';
/**
 * Lets this plain-JavaScript runner require the unit tests' TypeScript fakes (test/fakes/*.ts), so the e2e run
 * talks to the very same fake Graph API the engine tests use, not a second copy that could drift. A fake may use the
 * engine's pure modules in nodes/whatsapp and contract/ (the Cloud sandbox checks a BSUID with identity.ts), so those load too.
 */
const path = require('node:path');
const { allowTypeScript, ROOT } = require('../../harness/registerTypeScript');

function requireTypeScriptFake(name) {
	allowTypeScript('test/fakes', 'contract', 'nodes/whatsapp');
	return require(path.join(ROOT, 'test', 'fakes', name));
}

module.exports = { requireTypeScriptFake };
