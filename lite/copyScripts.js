// tsc emits only JavaScript: the Redis scripts (`.lua`) go beside the compiled modules that read them at run time.
const { cpSync, statSync } = require('node:fs');
const { join } = require('node:path');

const folderOrScript = (path) => path.endsWith('.lua') || statSync(path).isDirectory();
for (const [from, to] of [
	['src', 'dist/lite/src'],
	['../contract', 'dist/contract'],
])
	cpSync(join(__dirname, from), join(__dirname, to), { recursive: true, filter: folderOrScript });
