import { type WhatsAppError, isWhatsAppError } from '../../../contract/errors';
import type { OutboundMessage } from '../message';

/**
 * Meta's Marketing Messages API (docs/cloud-api.md, "Marketing Messages API"): `POST /<phone-number-id>/marketing_messages`
 * takes the body of a template send, for MARKETING templates only. Its time-to-live is the template's
 * (`message_send_ttl_seconds`, 12 hours to 30 days, default 30 days), not the message's.
 */
export type SendEndpoint = 'messages' | 'marketing_messages';

/**
 * Meta's refusal of a send on the Marketing Messages API: the number has not accepted its terms, or the template is
 * not (any more) a marketing one. Either way nothing was sent, so the message may go through /messages instead.
 */
const REFUSED_BY_MARKETING_MESSAGES = 131055;

/** Meta's default TTL of a marketing template sent through the Marketing Messages API. */
const DEFAULT_TTL_SECONDS = 30 * 24 * 3600;

export type MarketingRoute =
	| { endpoint: 'marketing_messages'; timeToLive: string }
	| { endpoint: 'messages'; endpointReason: string }
	| undefined;

/** "30 days", "12 hours", "90 minutes": a TTL as a person reads it. */
function duration(seconds: number): string {
	const units: Array<[number, string]> = [
		[86400, 'day'],
		[3600, 'hour'],
		[60, 'minute'],
	];
	const [size, unit] = units.find(([size]) => seconds % size === 0) ?? [1, 'second'];
	const count = seconds / size;
	return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/**
 * Where a message goes: a marketing template asked to go through the Marketing Messages API goes there (with its TTL
 * as far as the listing told it); any other template asked to stays on /messages, saying why. Undefined for a
 * message that did not ask.
 */
export function marketingRoute(message: OutboundMessage): MarketingRoute {
	if (message.type !== 'template' || !message.marketingMessages) return undefined;
	const category = message.category?.toUpperCase();
	if (category !== 'MARKETING') {
		return {
			endpoint: 'messages',
			endpointReason: `the template's category is ${category ?? 'not listed'}: the Marketing Messages API takes marketing templates only`,
		};
	}
	const { ttlSeconds } = message.marketingMessages;
	return {
		endpoint: 'marketing_messages',
		timeToLive:
			ttlSeconds === undefined
				? `${duration(DEFAULT_TTL_SECONDS)} (Meta's default; a TTL set on the template in WhatsApp Manager wins)`
				: `${duration(ttlSeconds)} (set on the template)`,
	};
}

export function refusedByMarketingMessages(error: unknown): error is WhatsAppError {
	return isWhatsAppError(error) && error.code === REFUSED_BY_MARKETING_MESSAGES;
}

/** What the result item says about a send that fell back to /messages after the Marketing Messages API refused it. */
export function fallbackReason(refusal: WhatsAppError): string {
	return (
		`the Marketing Messages API refused it (${refusal.backendMessage ?? refusal.message}), which sends nothing, ` +
		'so it went through /messages; accept the Marketing Messages API terms in WhatsApp Manager to use it'
	);
}
