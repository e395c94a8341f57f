// Lets plain `node` run the gateway's TypeScript sources: the crash tests start lite/src/main.ts as a child
// process (`node -r ./tsRegister.js main.ts`), so they kill the real gateway, not a build of it.
const { readFileSync } = require('node:fs');
const ts = require('typescript');

const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
require.extensions['.ts'] = (module, filename) => {
	const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
	module._compile(outputText, filename);
};
