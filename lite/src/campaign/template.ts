import { randomBytes } from 'node:crypto';

/** `{{ user.name }}`, `{{ path | "fallback" }}` (single quotes work too). */
const PLACEHOLDER = /\{\{\s*([\w$.-]+)\s*(?:\|\s*(?:"([^"]*)"|'([^']*)')\s*)?\}\}/g;

function lookup(context: unknown, path: string): unknown {
	return path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), context);
}

/**
 * Fills Automator-style placeholders from one receiver object. A missing or empty value becomes the fallback,
 * or nothing; objects are written as JSON.
 */
export function renderTemplate(template: string, context: unknown): string {
	return template.replace(PLACEHOLDER, (_, path: string, doubleQuoted?: string, singleQuoted?: string) => {
		const value = lookup(context, path);
		if (value === undefined || value === null || value === '') return doubleQuoted ?? singleQuoted ?? '';
		return typeof value === 'object' ? JSON.stringify(value) : String(value);
	});
}

/**
 * The Lite spec's "random string": a short reference code on its own line, so no two campaign messages are
 * byte-identical (identical bulk text is what WhatsApp's spam detection looks for).
 */
export function withRandomString(text: string, random: () => string = () => randomBytes(3).toString('hex').toUpperCase()): string {
	return `${text}\n\nRef. ${random()}`;
}
