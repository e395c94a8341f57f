import { invalidInput } from '../../../contract/errors';
import { identityAliases, parseContact } from '../identity';
import type { InboundEvent, InboundEventKind } from './event';
import { errorMessage } from '../../../contract/log';

export type TextMatch = 'any' | 'exact' | 'firstWord' | 'word' | 'regex';

/** What a trigger's parameters ask for, as read from the node (strings as typed). */
export interface FilterSettings {
	events: InboundEventKind[];
	/** Empty: every type. */
	messageTypes?: string[];
	/** Empty: every status. */
	statuses?: string[];
	/** Comma-separated phone number IDs, display numbers or suit IDs. */
	businessNumbers?: string;
	/** Comma-separated phone numbers or BSUIDs. */
	senders?: string;
	textMatch?: TextMatch;
	/** Comma-separated keywords, or one regular expression. */
	keywords?: string;
	caseSensitive?: boolean;
}

export type EventFilter = (event: InboundEvent) => boolean;

/** Events about the whole WhatsApp Business Account, which the business-number filter lets through. */
const ACCOUNT_WIDE = new Set<InboundEventKind>(['template', 'account']);
/** Events about one person, which the sender filter applies to. */
const ABOUT_A_PERSON = new Set<InboundEventKind>(['message', 'status', 'identity']);

const list = (value: string | undefined) =>
	(value ?? '')
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);
const digitsOnly = (value: string) => value.replace(/\D/g, '');

function textMatcher(settings: FilterSettings): ((text: string) => boolean) | undefined {
	const mode = settings.textMatch ?? 'any';
	if (mode === 'any') return undefined;
	const flags = settings.caseSensitive ? 'u' : 'iu';
	if (mode === 'regex') {
		try {
			const pattern = new RegExp(settings.keywords ?? '', flags);
			return (text) => pattern.test(text);
		} catch (error) {
			throw invalidInput(
				'Regular Expression',
				settings.keywords,
				`is not a valid regular expression (${errorMessage(error)})`,
				'Write a JavaScript regular expression without slashes, e.g. ^(stop|unsubscribe)\\b',
			);
		}
	}
	const keywords = list(settings.keywords);
	if (keywords.length === 0)
		throw invalidInput('Keywords', settings.keywords, 'is empty', 'Enter one or more keywords separated by commas, e.g. STOP, JOIN');
	const escaped = keywords.map((keyword) => keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
	const source = {
		exact: `^\\s*(?:${escaped})\\s*$`,
		firstWord: `^\\s*(?:${escaped})(?![\\p{L}\\p{N}])`,
		word: `(?<![\\p{L}\\p{N}])(?:${escaped})(?![\\p{L}\\p{N}])`,
	}[mode];
	const pattern = new RegExp(source, flags);
	return (text) => pattern.test(text);
}

/** Every key an event names its person by: the phone (a message's sender, a status's recipient), the BSUID, the parent BSUID. */
function personOf(event: InboundEvent): string[] {
	const phone = event.event === 'status' ? event.to : event.from;
	return [phone, event.userId, event.parentUserId].filter((key): key is string => typeof key === 'string');
}

/**
 * Builds the trigger's filter once per request; refuses settings that cannot work (bad regex, sender that is no
 * number or BSUID) with the field, value and fix. Text applies to messages; the sender (a phone number or a BSUID)
 * to messages, statuses' recipient and BSUID changes;
 * the business number applies to every event but template and account updates (they concern the whole account).
 */
export function buildFilter(settings: FilterSettings): EventFilter {
	const events = new Set(settings.events);
	const types = new Set(settings.messageTypes ?? []);
	const statuses = new Set(settings.statuses ?? []);
	const businesses = new Set(list(settings.businessNumbers).flatMap((value) => [value, digitsOnly(value)].filter(Boolean)));
	const senders = new Set(list(settings.senders).flatMap((sender) => identityAliases(parseContact(sender, 'Sender'))));
	const matchesText = textMatcher(settings);

	return (event) => {
		if (!events.has(event.event)) return false;
		if (
			businesses.size &&
			!ACCOUNT_WIDE.has(event.event) &&
			![event.businessNumber, event.businessDisplayNumber && digitsOnly(event.businessDisplayNumber)].some(
				(value) => value && businesses.has(value),
			)
		)
			return false;
		if (event.event === 'status' && statuses.size && !statuses.has(event.status ?? '')) return false;
		if (senders.size && ABOUT_A_PERSON.has(event.event) && !personOf(event).some((key) => senders.has(key))) return false;
		if (event.event !== 'message') return true;
		if (types.size && !types.has(event.type ?? '')) return false;
		return !matchesText || matchesText(event.text ?? '');
	};
}
