/**
 * The layer rules, read from the sources' imports (type-only imports count too):
 * - the engine (nodes/whatsapp/ but its n8n/ glue) never imports n8n or the glue, so it runs without n8n;
 * - channel/ (the backends) never imports the layers above it: templates/, store/, delivery/, inbound/;
 * - the Lite gateway (lite/src) compiles in only the modules it shares with the nodes, listed below.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '../..');

/** What the gateway shares with the nodes: the contracts both sides must agree on, and what they need themselves. */
const SHARED_WITH_GATEWAY = [
	'nodes/whatsapp/quota.ts', // the daily quota's key, TTL and Lua scripts
	'nodes/whatsapp/optOutContract.ts', // the opt-out lists' keys and entries
	'nodes/whatsapp/liteErrorContract.ts', // the gateway's error codes, statuses and fixes
	'nodes/whatsapp/inbound/signatures.ts', // the webhook signature
	'nodes/whatsapp/inbound/cloudFields.ts', // which Cloud webhook field carries which event kind (the relay's filter)
	'nodes/whatsapp/phone.ts', // phone numbers and group IDs
	'nodes/whatsapp/templates/automator.ts', // campaign text placeholders
	'nodes/whatsapp/variation.ts', // the random reference line
	'nodes/whatsapp/errors.ts', // the error type the shared modules throw
	'nodes/whatsapp/message.ts', // the message model variation.ts works on
	'nodes/whatsapp/flowMessage.ts', // the Flow message message.ts checks
	'nodes/whatsapp/identity.ts', // who a message goes to (phone, BSUID, group), as message.ts names it
];

function sourcesUnder(folder: string): string[] {
	return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
		.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
		.map((file) => join(folder, file));
}

/** A file's imports: package names as written, relative ones as repo paths (`nodes/whatsapp/phone.ts`). */
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

test('the Lite gateway compiles in only the modules it shares with the nodes', () => {
	const reached = new Set<string>();
	const visit = (file: string) => {
		for (const target of importsOf(file).filter((path) => path.startsWith('nodes/'))) {
			if (reached.has(target)) continue;
			reached.add(target);
			visit(target);
		}
	};
	sourcesUnder('lite/src').forEach(visit);
	expect(reached).toContain('nodes/whatsapp/quota.ts');
	expect([...reached].filter((file) => !SHARED_WITH_GATEWAY.includes(file))).toEqual([]);
});
