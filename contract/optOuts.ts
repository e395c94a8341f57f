/**
 * The opt-out list as the nodes and the Lite gateway both read it from Redis (docs/opt-outs.md). One list per
 * business number: the Cloud phone number ID, or the Lite suit ID.
 * - `<prefix>wa_automator:optouts:<backend>:<senderId>`: hash, person's digits → OptOutEntry JSON
 * - the same key + `:order`: sorted set, person's digits scored by the opt-out time (epoch ms), for paging
 * Neither expires: an opt-out holds until the person opts in again or a workflow removes it.
 */
export type OptOutBackend = 'cloud' | 'lite';

/** Why a person is on the list. */
export type OptOutSource = 'keyword' | 'manual' | 'import';

export interface OptOutEntry {
	/** ISO time of the opt-out. */
	at: string;
	source: OptOutSource;
	/** The message text that opted the person out (source `keyword`), as they wrote it. */
	keyword?: string;
	/** Free text from whoever added the entry (a CRM, a form). */
	note?: string;
}

export function optOutListKey(backend: OptOutBackend, senderId: string, prefix = ''): string {
	return `${prefix}wa_automator:optouts:${backend}:${senderId}`;
}

export function optOutOrderKey(backend: OptOutBackend, senderId: string, prefix = ''): string {
	return `${optOutListKey(backend, senderId, prefix)}:order`;
}

/** A stored entry, or undefined for a field that is absent or not an entry (never trusted blindly). */
export function parseOptOutEntry(stored: string | null | undefined): OptOutEntry | undefined {
	if (!stored) return undefined;
	try {
		const entry = JSON.parse(stored) as OptOutEntry;
		return typeof entry?.at === 'string' ? entry : undefined;
	} catch {
		// Not JSON: not an entry, as the comment above says; the field is ignored, never trusted.
		return undefined;
	}
}

/** What a skipped recipient's item (nodes) or `skipped` entry (gateway) says: `opted out on 2026-05-01 ("STOP")`. */
export function optedOutReason(entry: OptOutEntry): string {
	return `opted out on ${entry.at.slice(0, 10)}${entry.keyword ? ` (${JSON.stringify(entry.keyword)})` : ''}`;
}
