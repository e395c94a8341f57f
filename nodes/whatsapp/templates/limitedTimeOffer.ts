import type { MetaTemplate } from '../channel/cloudTemplates';
import { showValue } from '../../../contract/errors';
import type { PlaceholderValue } from './localized';
import { type Placeholder, templateError } from './metaTemplate';

/** A UNIX time in milliseconds: 13 digits until the year 2286 (10 digits would be seconds, a common mix-up). */
const MILLISECONDS = /^\d{13}$/;
/** An ISO 8601 date-time with its time zone, so that the countdown ends when meant wherever n8n runs. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function timeOf(value: unknown): number | undefined {
	if (value instanceof Date) return value.getTime();
	const text = String(value).trim();
	if (MILLISECONDS.test(text)) return Number(text);
	return ISO_WITH_ZONE.test(text) ? Date.parse(text) : undefined;
}

/**
 * A limited-time offer's expiration time, as Meta's `expiration_time_ms` (UNIX milliseconds): given as those
 * milliseconds, a Date, or an ISO date-time with its zone. A time already past is refused: WhatsApp would show an
 * offer that has ended.
 */
export function offerExpirationValue(template: MetaTemplate, placeholder: Placeholder, value: unknown, now: number): PlaceholderValue {
	const time = timeOf(value);
	if (time === undefined || Number.isNaN(time)) {
		throw templateError(
			template,
			placeholder.id,
			`placeholder ${placeholder.label} value ${showValue(value)} is not a date-time with a time zone nor UNIX milliseconds`,
			'Map an ISO date-time with its zone, e.g. {{ $now.plus(3, "days").toISO() }}, or UNIX milliseconds (13 digits)',
		);
	}
	if (time <= now) {
		throw templateError(
			template,
			placeholder.id,
			`placeholder ${placeholder.label} value ${showValue(value)} is in the past (${new Date(time).toISOString()}), so the offer would show as ended`,
			'Map a time in the future for the offer to end',
		);
	}
	return { text: String(time) };
}
