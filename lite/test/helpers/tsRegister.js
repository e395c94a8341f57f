// Lets plain `node` run the gateway's TypeScript sources: the crash tests start lite/src/main.ts as a child
// process (`node -r ./tsRegister.js main.ts`), so they kill the real gateway, not a build of it.
require('../../../test/harness/registerTypeScript').allowTypeScript('lite/src', 'contract');
