'use strict';
/**
 * The fake Lite container (test/fakes/liteContainer.ts) judges send bodies with the gateway's own code
 * (lite/src/send/request.ts, which uses contract/phone.ts and errors.ts), so it needs those source folders
 * as well as test/fakes.
 */
const { allowTypeScript } = require('../../harness/registerTypeScript');
const { requireTypeScriptFake } = require('./loadTypeScript');

function requireFakeLiteContainer() {
	allowTypeScript('lite/src', 'contract');
	return requireTypeScriptFake('liteContainer.ts');
}

module.exports = { requireFakeLiteContainer };
