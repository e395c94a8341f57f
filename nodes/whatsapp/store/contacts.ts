import type Redis from 'ioredis';
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
 * KEYS[1] the phone's key, KEYS[2] the BSUID's key, KEYS[3] the key prefix of the scope; ARGV[1] pair JSON, ARGV[2]
 * phone, ARGV[3] BSUID, ARGV[4] TTL s. Drops the other key of an older pair of either, writes both. Returns 1 when new.
 */
const LEARN_LUA = `
local function dropIfPaired(key, raw)
  if redis.call('GET', key) == raw then redis.call('DEL', key) end
end
local byPhone = redis.call('GET', KEYS[1])
local byUser = redis.call('GET', KEYS[2])
local known = byPhone == ARGV[1] and byUser == ARGV[1]
if byPhone and byPhone ~= ARGV[1] then
  local old = cjson.decode(byPhone)
  if old.userId ~= ARGV[3] then dropIfPaired(KEYS[3] .. old.userId, byPhone) end
end
if byUser and byUser ~= ARGV[1] then
  local old = cjson.decode(byUser)
  if old.phone ~= ARGV[2] then dropIfPaired(KEYS[3] .. old.phone, byUser) end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[4]))
redis.call('SET', KEYS[2], ARGV[1], 'EX', tonumber(ARGV[4]))
if known then return 0 end
return 1
`;

/** KEYS[1] the retired BSUID's key, KEYS[2] the scope's key prefix. Drops it and its phone's key while that holds the same pair. */
const RETIRE_LUA = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
redis.call('DEL', KEYS[1])
local phoneKey = KEYS[2] .. cjson.decode(raw).phone
if redis.call('GET', phoneKey) == raw then redis.call('DEL', phoneKey) end
return 1
`;

/** In the WhatsApp Shared State (Redis) credential's Redis; `run` maps a lost connection to the store's error. */
export class RedisContactLinks implements ContactLinks {
	constructor(
		private readonly client: Redis,
		private readonly run: <T>(operation: () => Promise<T>) => Promise<T>,
	) {}

	async learn(scope: ContactScope, pairs: ContactPair[]) {
		const prefix = contactKeyOf(scope, '');
		const fresh = await Promise.all(
			pairs.map((pair) =>
				this.run(() =>
					this.client.eval(
						LEARN_LUA,
						3,
						prefix + pair.phone,
						prefix + pair.userId,
						prefix,
						JSON.stringify({ phone: pair.phone, userId: pair.userId }),
						pair.phone,
						pair.userId,
						LINK_TTL_SECONDS,
					),
				),
			),
		);
		return fresh.map((answer) => answer === 1);
	}

	async retire(scope: ContactScope, userIds: string[]) {
		const prefix = contactKeyOf(scope, '');
		await Promise.all(userIds.map((userId) => this.run(() => this.client.eval(RETIRE_LUA, 2, prefix + userId, prefix))));
	}

	async lookup(scope: ContactScope, keys: string[]) {
		if (!keys.length) return [];
		const values = await this.run(() => this.client.mget(keys.map((key) => contactKeyOf(scope, key))));
		return values.map(parsePair);
	}
}
