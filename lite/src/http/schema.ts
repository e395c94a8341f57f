import { z, type ZodIssue, type ZodType, type ZodTypeDef } from 'zod';
import { invalidRequest } from './errors';

/**
 * Validation at the edge: every route reads its request through one zod schema (`validated`), so a wrong field is a
 * 400 INVALID_REQUEST naming the field, the value and the fix before the handler runs. The helpers below phrase each
 * rule as a noun ("a number of minutes from 0 to 1440"), which the answer reuses in its message and its fix.
 */
export { z };

/** Deepest nesting of objects and arrays a JSON body may have (a receiver's `user` object, placeholders' paths). */
export const MAX_JSON_DEPTH = 32;
/** Campaign and webhook IDs: letters and digits of any script, space and a few separators; at most this long. */
export const MAX_ID_LENGTH = 128;
const ID_CHARACTERS = /^[\p{L}\p{N} _.:@#+~,()/-]+$/u;
const ID_RULE = `1 to ${MAX_ID_LENGTH} letters, digits, spaces or any of _ . : @ # + ~ , ( ) / -`;

/** A string with a rule's wording for both a wrong type and a wrong length. */
export const text = (maxLength: number, rule = `a string of at most ${maxLength} characters`) =>
	z.string({ message: rule }).max(maxLength, rule);

export const id = () => z.string({ message: ID_RULE }).min(1, ID_RULE).max(MAX_ID_LENGTH, ID_RULE).regex(ID_CHARACTERS, ID_RULE);

/** A number within bounds, given as a JSON number or a decimal string ("3"); never Infinity, an array or a boolean. */
export function numeric(min: number, max: number, rule: string) {
	const decimal = z
		.string({ message: rule })
		.trim()
		.regex(/^-?\d+(?:\.\d+)?$/, rule)
		.transform(Number);
	return z
		.union([z.number({ message: rule }), decimal], { errorMap: () => ({ message: rule }) })
		.pipe(z.number({ message: rule }).finite(rule).min(min, rule).max(max, rule));
}

/** A whole number within bounds from a query string ("100"); absent or empty gives `fallback`. */
export const queryInteger = (max: number, fallback: number) => {
	const rule = `a whole number from 0 to ${max}`;
	return z
		.string()
		.optional()
		.transform((raw) => (raw === undefined || raw === '' ? String(fallback) : raw))
		.pipe(
			z
				.string()
				.regex(/^\d{1,16}$/, rule)
				.transform(Number)
				.pipe(z.number().max(max, rule)),
		);
};

/** The request's input parsed by `schema`, or a 400 that names the first wrong field, its value and the fix. */
export function validated<Output>(schema: ZodType<Output, ZodTypeDef, unknown>, input: unknown): Output {
	const result = schema.safeParse(input);
	if (result.success) return result.data;
	throw refusal(result.error.issues[0], input);
}

/** A route's schema reads the request's `params`, `query` and `body`; a field is named without them (`UOWHATSAPP.min_delay`). */
const REQUEST_PARTS = new Set(['params', 'query', 'body']);

function refusal(issue: ZodIssue, input: unknown) {
	const path = REQUEST_PARTS.has(String(issue.path[0])) ? issue.path.slice(1) : issue.path;
	const field = path.length ? path.join('.') : 'the request body';
	const value = valueAt(input, issue.path);
	const shown = value === undefined ? 'missing' : preview(value);
	const rule = issue.message;
	return invalidRequest(`${field} is ${shown}: it must be ${rule}`, `Send ${field} as ${rule}`, { field, value: shown });
}

function valueAt(input: unknown, path: Array<string | number>): unknown {
	let value = input;
	for (const key of path) {
		if (!value || typeof value !== 'object') return undefined;
		value = (value as Record<string | number, unknown>)[key];
	}
	return value;
}

/** A value as the answer quotes it: JSON, cut at 80 characters (an ID of a million characters is not echoed whole). */
function preview(value: unknown): string {
	const json = JSON.stringify(value) ?? String(value);
	const length = typeof value === 'string' ? value.length : json.length;
	return json.length > 80 ? `${json.slice(0, 80)}… (${length} characters)` : json;
}

/**
 * Where a parsed JSON value nests deeper than `maxDepth`, or undefined. Walked with a list instead of recursion, so a
 * body nested 100,000 deep is measured without exhausting the stack.
 */
export function tooDeep(value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
	const pending: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 0, path: '' }];
	while (pending.length) {
		const next = pending.pop()!;
		if (!next.value || typeof next.value !== 'object') continue;
		if (next.depth >= maxDepth) return next.path || 'the request body';
		for (const [key, child] of Object.entries(next.value))
			pending.push({ value: child, depth: next.depth + 1, path: next.path ? `${next.path}.${key}` : key });
	}
	return undefined;
}
