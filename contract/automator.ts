/**
 * Automator-style text templates: `{{ user.name }}`, `{{ path | "fallback" }}` (single quotes work too), filled
 * from one item or receiver object. Shared by the Template Send node and the Lite gateway's bulk route.
 * `\{{ user.name }}` is the same placeholder escaped for an n8n expression: n8n evaluates `{{ … }}` in an expression
 * itself but leaves `\{{` as it is (docs/n8n-facts.md).
 */
const PLACEHOLDER = /\\?\{\{\s*([\w$.-]+)\s*(?:\|\s*(?:"([^"]*)"|'([^']*)')\s*)?\}\}/g;

/**
 * The first placeholder in an n8n expression that n8n evaluates itself (to nothing: its paths are no n8n
 * variables) before the node reads the text: one not escaped as `\{{`, whose path is not an n8n variable (`$json…`).
 */
export function placeholderEvaluatedByN8n(expression: string): string | undefined {
	return [...expression.matchAll(PLACEHOLDER)].find(([placeholder, path]) => !placeholder.startsWith('\\') && !path.startsWith('$'))?.[0];
}

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
