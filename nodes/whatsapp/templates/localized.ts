import { showValue } from '../../../contract/errors';
import type { TemplateParameter } from '../message';
import type { MetaTemplate } from '../channel/cloudTemplates';
import { type Placeholder, templateError } from './metaTemplate';

type Localized = NonNullable<TemplateParameter['localized']>;

export interface PlaceholderValue {
	/** The text sent, or for a currency or date-time value its fallback_value (also what the rendered text shows). */
	text: string;
	localized?: Localized;
}

export const LOCALIZED_FORMS =
	'{ "currency": { "fallback_value": "$12.50", "code": "USD", "amount_1000": 12500 } } or { "date_time": { "fallback_value": "May 3, 2025" } }';

/** JSON text that means a currency or date-time value rather than words to send. */
const LOCALIZED_JSON = /^\s*\{\s*"(currency|date_time)"\s*:/;

const KEYS = { currency: ['fallback_value', 'code', 'amount_1000'], date_time: ['fallback_value'] } as const;

function asObject(template: MetaTemplate, placeholder: Placeholder, value: unknown): Record<string, unknown> | undefined {
	if (typeof value !== 'string')
		return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	if (!LOCALIZED_JSON.test(value)) return undefined;
	try {
		return JSON.parse(value) as Record<string, unknown>;
	} catch {
		// The parser's detail (a position) helps less than the error below, which names the placeholder and value.
		throw templateError(
			template,
			placeholder.id,
			`placeholder ${placeholder.label} value ${showValue(value)} is not valid JSON`,
			`Write a currency or date-time value as ${LOCALIZED_FORMS}`,
		);
	}
}

/**
 * A body value given as Meta's currency or date_time parameter (an object, or its JSON text), checked for the
 * fields WhatsApp needs; undefined for a plain value (sent as text). Which form a template's placeholder wants is
 * not in the template definition, so the value says it.
 */
export function localizedValue(template: MetaTemplate, placeholder: Placeholder, value: unknown): PlaceholderValue | undefined {
	const object = asObject(template, placeholder, value);
	if (!object) return undefined;
	const fail = (problem: string): never => {
		throw templateError(
			template,
			placeholder.id,
			`placeholder ${placeholder.label} ${problem}`,
			`Map a text or a number, or a currency or date-time value: ${LOCALIZED_FORMS}`,
		);
	};
	const [kind, ...others] = Object.keys(object);
	if ((kind !== 'currency' && kind !== 'date_time') || others.length)
		fail(`was given an object (${showValue(object)}) that is neither a currency nor a date-time value`);
	const type = kind as keyof typeof KEYS;
	const fields = object[type] as Record<string, unknown> | null;
	if (!fields || typeof fields !== 'object') return fail(`${type} value must be an object with ${KEYS[type].join(', ')}`);
	const extra = Object.keys(fields).filter((key) => !(KEYS[type] as readonly string[]).includes(key));
	if (extra.length) fail(`${type} value has ${extra.join(', ')}, which WhatsApp does not take (only ${KEYS[type].join(', ')})`);
	const fallback = fields.fallback_value;
	if (typeof fallback !== 'string' || !fallback.trim())
		fail(`${type} value needs a fallback_value: the text shown where the value cannot be localized`);
	if (type === 'date_time') return { text: String(fallback), localized: { type } };
	const code = fields.code;
	if (typeof code !== 'string' || !/^[A-Z]{3}$/.test(code)) {
		fail(
			`currency value ${code === undefined ? 'needs a code,' : `has code ${showValue(code)}, which is not`} an ISO 4217 currency code such as USD or EUR`,
		);
	}
	const amount =
		typeof fields.amount_1000 === 'string' && /^-?\d+$/.test(fields.amount_1000.trim()) ? Number(fields.amount_1000) : fields.amount_1000;
	if (typeof amount !== 'number' || !Number.isSafeInteger(amount))
		fail(
			`currency value has amount_1000 ${showValue(fields.amount_1000)}, which is not a whole number (the amount times 1000, e.g. 12500 for 12.50)`,
		);
	return { text: String(fallback), localized: { type, code: String(code), amount1000: Number(amount) } };
}
