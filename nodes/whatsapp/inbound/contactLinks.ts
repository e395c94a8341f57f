import type { ContactPair, ContactScope } from '../store/contacts';
import type { StateStore } from '../store/types';
import type { InboundEvent } from './event';

type LinkStore = Pick<StateStore, 'contacts' | 'optOuts'>;

interface ScopeChanges {
	scope: ContactScope;
	pairs: ContactPair[];
	retired: string[];
}

/** The pair an event carries: a message's sender, a status's recipient or a changed identity, with phone and BSUID. */
function pairOf(event: InboundEvent): ContactPair | undefined {
	const phone = event.event === 'status' ? event.to : event.event === 'message' || event.event === 'identity' ? event.from : undefined;
	return phone && event.userId && !event.groupId ? { phone, userId: event.userId } : undefined;
}

function changesByScope(events: InboundEvent[]): ScopeChanges[] {
	const scopes = new Map<string, ScopeChanges>();
	for (const event of events) {
		const pair = pairOf(event);
		const retired = event.identity?.previousUserId;
		if (!pair && !retired) continue;
		const key = `${event.backend}:${event.businessNumber}`;
		const changes = scopes.get(key) ?? { scope: { backend: event.backend, senderId: event.businessNumber }, pairs: [], retired: [] };
		scopes.set(key, changes);
		if (retired) changes.retired.push(retired);
		if (pair) changes.pairs.push(pair);
	}
	return [...scopes.values()];
}

/**
 * An opt-out recorded under one key of a person before the pair was known (a STOP by a user whose phone Meta
 * withheld) is put under the other too, so it holds whichever key a segment names them by, however long the pair lasts.
 */
async function shareOptOuts(store: LinkStore, { scope, pairs }: ScopeChanges, fresh: boolean[]) {
	const learned = pairs.filter((_, index) => fresh[index]);
	if (!learned.length) return;
	const entries = await store.optOuts.lookup(
		scope,
		learned.flatMap((pair) => [pair.phone, pair.userId]),
	);
	const missing = learned.flatMap((pair, index) => {
		const [byPhone, byUser] = [entries[2 * index], entries[2 * index + 1]];
		if (byPhone && !byUser) return [{ phone: pair.userId, entry: byPhone }];
		if (byUser && !byPhone) return [{ phone: pair.phone, entry: byUser }];
		return [];
	});
	if (missing.length) await store.optOuts.add(scope, missing);
}

/**
 * Learns the phone↔BSUID pairs of a delivery's events (docs/cloud-api.md, "Contact identities"): a `user_id_update`
 * retires the previous BSUID (and the old phone's pair with it) before the new pair is recorded, so a changed number
 * never joins two people. Idempotent, so redeliveries are harmless; the store is opened only when there is a pair.
 */
export async function learnContactLinks(events: InboundEvent[], openStore: () => Promise<LinkStore>): Promise<void> {
	const changes = changesByScope(events);
	if (!changes.length) return;
	const store = await openStore();
	for (const change of changes) {
		if (change.retired.length) await store.contacts.retire(change.scope, change.retired);
		const fresh = await store.contacts.learn(change.scope, change.pairs);
		await shareOptOuts(store, change, fresh);
	}
}
