/**
 * Automator-style text templates: `{{ user.name }}`, `{{ path | "fallback" }}` (single quotes work too), filled
 * from one item or receiver object. Shared by the Template Send node and the Lite gateway's bulk route.
 */
const PLACEHOLDER = /\{\{\s*([\w$.-]+)\s*(?:\|\s*(?:"([^"]*)"|'([^']*)')\s*)?\}\}/g;

function lookup(data: unknown, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>(
			(value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
			data,
		);
}

export interface AutomatorRendering {
	text: string;
	/** Placeholders that had no value and no fallback (rendered as nothing), in order, each once. */
	missing: string[];
}

/**
 * Fills every placeholder: its value, else its fallback, else nothing (and it is listed as missing, which the Text
 * Template source may refuse; the gateway's campaigns send it as it is). Objects become JSON.
 */
export function renderAutomator(template: string, data: unknown): AutomatorRendering {
	const missing = new Set<string>();
	const text = template.replace(PLACEHOLDER, (_, path: string, doubleQuoted?: string, singleQuoted?: string) => {
		const value = lookup(data, path);
		if (value !== undefined && value !== null && value !== '') return typeof value === 'object' ? JSON.stringify(value) : String(value);
		const fallback = doubleQuoted ?? singleQuoted;
		if (fallback === undefined) missing.add(path);
		return fallback ?? '';
	});
	return { text, missing: [...missing] };
}
