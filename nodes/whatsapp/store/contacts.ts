import type { RedisClient } from './types';
import { defineScripts } from '../../../contract/redis/scripts';
import { STORE_SCRIPT_DIR } from './scripts';
import type { Backend } from '../channel/types';
import type { ContactIdentity } from '../identity';
import type { ExpiringEntries } from './reportsMemory';

/**
 * The phone↔BSUID pairs the WhatsApp Trigger learned from webhooks (messages, statuses, `user_id_update`), so that a
 * person named by phone in one place and by BSUID in another is one person (docs/cloud-api.md, "Contact identities").
 *
 * Keys: `wa_automator:contact:{backend}:{sender}:{phone or BSUID}` → `{"phone","userId"}`, both keys of a pair
 * holding the same pair, for LINK_TTL_SECONDS from the last webhook that carried it.
 */
export interface ContactPair {
	phone: string;
	userId: string;
}

/** Whose pairs: a BSUID belongs to one business, kept per sender like the opt-out lists. */
export interface ContactScope {
	backend: Backend;
	senderId: string;
}

/**
 * How long a learned pair lasts without a webhook carrying it again: three times the 30 days the campaign ledger and
 * reports (the longest records a pair joins) live, and three times Meta's rolling 30-day window in which a
 * username user's phone still shows in webhooks, so a pair not seen for that long is likely stale (the person may
 * have changed their number). Opt-outs do not depend on it: they are written under every key of the person.
 */
export const LINK_TTL_SECONDS = 90 * 24 * 60 * 60;

export interface ContactLinks {
	/**
	 * Records pairs; a pair replaces an older one of its phone or its BSUID, whose other key is dropped (a phone
	 * given to a new person, or a person with a new BSUID, never joins two people). Per pair: whether it is new.
	 */
	learn(scope: ContactScope, pairs: ContactPair[]): Promise<boolean[]>;
	/** Forgets BSUIDs Meta retired (`user_id_update`: the previous one), and the phone paired with each. */
	retire(scope: ContactScope, userIds: string[]): Promise<void>;
	/** Per key (a phone or a BSUID): the pair it belongs to, or undefined. */
	lookup(scope: ContactScope, keys: string[]): Promise<Array<ContactIdentity | undefined>>;
}

export const contactKeyOf = (scope: ContactScope, key: string) => `wa_automator:contact:${scope.backend}:${scope.senderId}:${key}`;

const parsePair = (stored: string | null | undefined): ContactPair | undefined =>
	stored ? (JSON.parse(stored) as ContactPair) : undefined;

/** In this process's memory (bounded with the memory store's other entries). */
export class MemoryContactLinks implements ContactLinks {
	constructor(private readonly entries: ExpiringEntries & { remove(key: string): void }) {}

	async learn(scope: ContactScope, pairs: ContactPair[]) {
		return pairs.map((pair) => {
			const [byPhone, byUser] = [pair.phone, pair.userId].map((key) => this.entries.read<ContactPair>(contactKeyOf(scope, key)));
			if (byPhone && byPhone.userId !== pair.userId) this.dropIfPaired(scope, byPhone.userId, byPhone);
			if (byUser && byUser.phone !== pair.phone) this.dropIfPaired(scope, byUser.phone, byUser);
			for (const key of [pair.phone, pair.userId]) this.entries.write(contactKeyOf(scope, key), pair, LINK_TTL_SECONDS);
			return !(byPhone?.userId === pair.userId && byUser?.phone === pair.phone);
		});
	}

	async retire(scope: ContactScope, userIds: string[]) {
		for (const userId of userIds) {
			const pair = this.entries.read<ContactPair>(contactKeyOf(scope, userId));
			this.entries.remove(contactKeyOf(scope, userId));
			if (pair) this.dropIfPaired(scope, pair.phone, pair);
		}
	}

	async lookup(scope: ContactScope, keys: string[]) {
		return keys.map((key) => this.entries.read<ContactPair>(contactKeyOf(scope, key)));
	}

	private dropIfPaired(scope: ContactScope, key: string, pair: ContactPair) {
		const current = this.entries.read<ContactPair>(contactKeyOf(scope, key));
		if (current && current.phone === pair.phone && current.userId === pair.userId) this.entries.remove(contactKeyOf(scope, key));
	}
}

/**
 * Reads pairs, then runs a script over the keys they name, which first checks the pairs are still stored: a script
 * may touch only keys given to it (a Redis Cluster routes it by them). Its -1 means another webhook changed a pair
 * in between (each -1 is someone else's write done), so the pairs are read again.
 */
async function untilUnchanged(attempt: () => Promise<unknown>): Promise<unknown> {
	for (;;) {
		const answer = await attempt();
		if (answer !== -1) return answer;
	}
}

/** In the WhatsApp Shared State (Redis) credential's Redis; `run` maps a lost connection to the store's error. */
export class RedisContactLinks implements ContactLinks {
	private readonly scripts;

	constructor(
		private readonly client: RedisClient,
		private readonly run: <T>(operation: () => Promise<T>) => Promise<T>,
	) {
		this.scripts = defineScripts(client, STORE_SCRIPT_DIR, { contactLearn: 4, contactRetire: 2 });
	}

	async learn(scope: ContactScope, pairs: ContactPair[]) {
		const fresh = await Promise.all(
			pairs.map((pair) =>
				untilUnchanged(async () => {
					const [phoneKey, userKey] = [contactKeyOf(scope, pair.phone), contactKeyOf(scope, pair.userId)];
					const [byPhone, byUser] = await this.run(() => this.client.mget(phoneKey, userKey));
					return await this.run(() =>
						this.scripts.contactLearn(
							phoneKey,
							userKey,
							contactKeyOf(scope, parsePair(byPhone)?.userId ?? pair.userId),
							contactKeyOf(scope, parsePair(byUser)?.phone ?? pair.phone),
							JSON.stringify({ phone: pair.phone, userId: pair.userId }),
							pair.phone,
							pair.userId,
							LINK_TTL_SECONDS,
							byPhone ?? '',
							byUser ?? '',
						),
					);
				}),
			),
		);
		return fresh.map((answer) => answer === 1);
	}

	async retire(scope: ContactScope, userIds: string[]) {
		await Promise.all(
			userIds.map((userId) =>
				untilUnchanged(async () => {
					const userKey = contactKeyOf(scope, userId);
					const stored = await this.run(() => this.client.get(userKey));
					const pair = parsePair(stored);
					if (!stored || !pair) return 0;
					return await this.run(() => this.scripts.contactRetire(userKey, contactKeyOf(scope, pair.phone), stored));
				}),
			),
		);
	}

	async lookup(scope: ContactScope, keys: string[]) {
		if (!keys.length) return [];
		const values = await this.run(() => this.client.mget(keys.map((key) => contactKeyOf(scope, key))));
		return values.map(parsePair);
	}
}
