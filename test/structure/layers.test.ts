/**
 * The layer rules, read from the sources' imports (type-only imports count too):
 * - contract/ (what the nodes and the gateway must agree on) imports nothing of n8n, the nodes or the gateway;
 * - the engine (nodes/whatsapp/ but its n8n/ glue) never imports n8n or the glue, so it runs without n8n;
 * - channel/ (the backends) never imports the layers above it: templates/, store/, delivery/, inbound/;
 * - the Lite gateway (lite/src) never reaches into nodes/: what it shares with the nodes comes from contract/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '../..');

function sourcesUnder(folder: string): string[] {
	return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
		.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
		.map((file) => join(folder, file));
}

/** A file's imports: package names as written, relative ones as repo paths (`contract/phone.ts`). */
function importsOf(file: string): string[] {
	const { importedFiles } = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
	return importedFiles.map(({ fileName }) => {
		if (!fileName.startsWith('.')) return fileName;
		const target = relative(ROOT, resolve(ROOT, dirname(file), fileName));
		return target.endsWith('.json') ? target : `${target}.ts`;
	});
}

const isN8n = (target: string) =>
	/^(n8n-workflow|n8n-core|@n8n\/)/.test(target) || target.startsWith('nodes/whatsapp/n8n/') || /^nodes\/WhatsApp/.test(target);

/** `from → to` for each import of the files that breaks the rule. */
function violations(files: string[], forbidden: (target: string) => boolean): string[] {
	return files.flatMap((file) =>
		importsOf(file)
			.filter(forbidden)
			.map((target) => `${file} → ${target}`),
	);
}

test('the engine never imports n8n or its n8n glue', () => {
	const engine = sourcesUnder('nodes/whatsapp').filter((file) => !file.startsWith('nodes/whatsapp/n8n/'));
	expect(engine.length).toBeGreaterThan(40);
	expect(violations(engine, isN8n)).toEqual([]);
});

test('channel/ never imports templates/, store/, delivery/ or inbound/', () => {
	const channel = sourcesUnder('nodes/whatsapp/channel');
	expect(channel).toContain('nodes/whatsapp/channel/cloud.ts');
	expect(violations(channel, (target) => /^nodes\/whatsapp\/(templates|store|delivery|inbound)\//.test(target))).toEqual([]);
});

test('contract/ imports nothing of n8n, the nodes or the gateway', () => {
	const contract = sourcesUnder('contract');
	expect(contract).toContain('contract/quota.ts');
	expect(violations(contract, (target) => isN8n(target) || /^(nodes|lite|credentials)\//.test(target))).toEqual([]);
});

test('the Lite gateway never imports from nodes/: it shares only contract/ with them', () => {
	const gateway = sourcesUnder('lite/src');
	expect(gateway).toContain('lite/src/main.ts');
	expect(violations(gateway, (target) => /^(nodes|credentials|test)\//.test(target))).toEqual([]);
	expect(gateway.some((file) => importsOf(file).some((target) => target.startsWith('contract/')))).toBe(true);
});
