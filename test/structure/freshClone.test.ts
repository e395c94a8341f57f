import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const indentOf = (file: string) => /\n([\t ]+)"/.exec(readFileSync(join(ROOT, file), 'utf8'))?.[1];

// npm rewrites the lock file on every `npm install` with package.json's indentation: committed any other way, a
// new user's first install leaves the tree changed (every line of package-lock.json).
test("package-lock.json is indented as npm writes it (like package.json), so npm install leaves a fresh clone's tree clean", () => {
	expect(indentOf('package-lock.json')).toBe(indentOf('package.json'));
	expect(readFileSync(join(ROOT, 'package-lock.json'), 'utf8').endsWith('}\n')).toBe(true);
});
