import { invalidInput } from '../../../contract/errors';
import type { OptOutEntry } from '../../../contract/optOuts';
import type { OptOutStore } from '../store/optOuts';
import type { InboundEvent } from './event';
import { identityAliases } from '../identity';

export const DEFAULT_OPT_OUT_KEYWORDS = 'STOP, UNSUBSCRIBE, STOPP, ARRET, BAJA, PARAR, إلغاء';
export const DEFAULT_OPT_IN_KEYWORDS = 'START, UNSTOP, SUBSCRIBE, ALTA, اشتراك';

/**
 * A message's text as it is compared with the keywords: compatibility-decomposed (NFKD) so accents, Arabic
 * harakat and hamza marks become separate marks that are dropped, the Arabic tatweel dropped, lower case, and
 * without surrounding spaces, punctuation or emoji ("Stop!" is STOP, "Arrêt" is ARRET, "الغاء" is إلغاء).
 */
export function keywordForm(text: string): string {
	return text
		.normalize('NFKD')
		.replace(/[\p{M}\u0640]/gu, '')
		.toLowerCase()
		.replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '')
		.replace(/\s+/gu, ' ');
}

export interface OptOutKeywords {
	optOut: Set<string>;
	optIn: Set<string>;
}

function keywordSet(list: string, field: string): Set<string> {
	const keywords = list.split(',').map(keywordForm).filter(Boolean);
	if (!keywords.length)
		throw invalidInput(
			field,
			list,
			'has no keyword',
			`Enter comma-separated keywords, e.g. ${field === 'Opt-Out Keywords' ? DEFAULT_OPT_OUT_KEYWORDS : DEFAULT_OPT_IN_KEYWORDS}`,
		);
	return new Set(keywords);
}

/** The trigger's two keyword lists, checked: neither empty, no keyword in both. */
export function optOutKeywords(optOutList: string, optInList: string): OptOutKeywords {
	const optOut = keywordSet(optOutList, 'Opt-Out Keywords');
	const optIn = keywordSet(optInList, 'Opt-In Keywords');
	const both = [...optOut].find((keyword) => optIn.has(keyword));
	if (both)
		throw invalidInput(
			'Opt-In Keywords',
			optInList,
			`has "${both}", which is an opt-out keyword too`,
			'Keep each keyword in one of the two lists',
		);
	return { optOut, optIn };
}

/** What the trigger did with a message, on its item as `optOut`. */
export interface OptOutChange {
	action: 'opted_out' | 'already_opted_out' | 'opted_in' | 'was_not_opted_out';
	/** The message text that matched, as written. */
	keyword: string;
	/** When the person opted out (for `already_opted_out`: the first time), or when they opted in. */
	at: string;
}

/** `keys`: every key the sender is known by in the message (phone, BSUID), each put on or taken off the list. */
type Request = { event: InboundEvent; keys: string[]; keyword: string; direction: 'out' | 'in' };

/** A person's own message (not in a group) whose whole text is a keyword; a user whose phone is withheld counts by BSUID. */
function requestOf(event: InboundEvent, keywords: OptOutKeywords): Request | undefined {
	if (event.event !== 'message' || event.groupId || !event.text) return undefined;
	const keys = identityAliases({ phone: event.from, userId: event.userId ?? undefined });
	if (!keys.length) return undefined;
	const form = keywordForm(event.text);
	const direction = keywords.optOut.has(form) ? 'out' : keywords.optIn.has(form) ? 'in' : undefined;
	return direction && { event, keys, keyword: event.text.trim(), direction };
}

/** A batch's requests, one row per key, and per request the first of its rows' answers that is set. */
function perKey(batch: Request[]) {
	const rows = batch.flatMap((request, index) => request.keys.map((key) => ({ key, index })));
	const firstOf = <T>(answers: Array<T | undefined>) =>
		batch.map((_, index) => answers.find((answer, row) => rows[row].index === index && answer !== undefined));
	return { rows, firstOf };
}

/**
 * Puts the senders of opt-out messages on their business number's list and takes the senders of opt-in messages
 * off it (a batch per number and direction), and returns the events with `optOut` on those messages.
 */
export async function recordOptOuts(
	events: InboundEvent[],
	store: OptOutStore,
	keywords: OptOutKeywords,
	now: Date,
): Promise<Array<InboundEvent & { optOut?: OptOutChange }>> {
	const changes = new Map<InboundEvent, OptOutChange>();
	const requests = events.flatMap((event) => requestOf(event, keywords) ?? []);
	const batches = new Map<string, Request[]>();
	for (const request of requests) {
		const key = JSON.stringify([request.event.backend, request.event.businessNumber, request.direction]);
		batches.set(key, [...(batches.get(key) ?? []), request]);
	}
	for (const batch of batches.values()) {
		const [{ event, direction }] = batch;
		const list = { backend: event.backend, senderId: event.businessNumber };
		const { rows, firstOf } = perKey(batch);
		if (direction === 'out') {
			const entries = batch.map(
				(request): OptOutEntry => ({ at: request.event.timestamp ?? now.toISOString(), source: 'keyword', keyword: request.keyword }),
			);
			const existing = firstOf(
				await store.add(
					list,
					rows.map(({ key, index }) => ({ phone: key, entry: entries[index] })),
				),
			);
			batch.forEach((request, index) => {
				const earlier = existing[index];
				changes.set(request.event, {
					action: earlier ? 'already_opted_out' : 'opted_out',
					keyword: request.keyword,
					at: (earlier ?? entries[index]).at,
				});
			});
		} else {
			const removed = firstOf(
				await store.remove(
					list,
					rows.map(({ key }) => key),
				),
			);
			batch.forEach((request, index) => {
				changes.set(request.event, {
					action: removed[index] ? 'opted_in' : 'was_not_opted_out',
					keyword: request.keyword,
					at: request.event.timestamp ?? now.toISOString(),
				});
			});
		}
	}
	return events.map((event) => (changes.has(event) ? { ...event, optOut: changes.get(event) } : event));
}
