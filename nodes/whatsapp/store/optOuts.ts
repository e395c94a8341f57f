import type { RedisClient } from './types';
import { defineScripts } from '../../../contract/redis/scripts';
import { STORE_SCRIPT_DIR } from './scripts';
import { type OptOutBackend, type OptOutEntry, optOutListKey, optOutOrderKey, parseOptOutEntry } from '../../../contract/optOuts';

/** Whose list: one per business number (Cloud phone number ID, Lite suit ID). */
export interface OptOutList {
	backend: OptOutBackend;
	senderId: string;
}

export type ListedOptOut = { phone: string } & OptOutEntry;

/**
 * The opt-out lists. Every call takes a batch of people and costs one round trip per batch (not per person), so a
 * segment of thousands is checked at once. Phones are normalised digits.
 */
export interface OptOutStore {
	/** Puts each person on the list unless already on it. Per person: the entry it already had, or undefined when added now. */
	add(list: OptOutList, people: Array<{ phone: string; entry: OptOutEntry }>): Promise<Array<OptOutEntry | undefined>>;
	/** Takes each person off the list. Per person: the entry removed, or undefined when they were not on it. */
	remove(list: OptOutList, phones: string[]): Promise<Array<OptOutEntry | undefined>>;
	/** Per person: their entry, or undefined when they are not on the list. */
	lookup(list: OptOutList, phones: string[]): Promise<Array<OptOutEntry | undefined>>;
	/** One page of the list, oldest opt-out first, and how many are on it. */
	page(list: OptOutList, offset: number, limit: number): Promise<{ total: number; items: ListedOptOut[] }>;
}

const epochMs = (entry: OptOutEntry) => Date.parse(entry.at) || 0;

/** A Redis call of the state store: a lost connection becomes its REDIS_UNAVAILABLE error. */
export type Guard = <T>(operation: () => Promise<T>) => Promise<T>;

/** People per Redis call: keeps each script and reply small whatever the batch. */
const CHUNK = 1000;

async function chunked<T, R>(values: T[], call: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
	const results: R[] = [];
	for (let start = 0; start < values.length; start += CHUNK) results.push(...(await call(values.slice(start, start + CHUNK))));
	return results;
}

/** The lists in the WhatsApp Shared State (Redis) credential's Redis, under the keys the Lite gateway reads (contract/optOuts.ts). */
export class RedisOptOuts implements OptOutStore {
	private readonly scripts;

	constructor(
		private readonly client: RedisClient,
		private readonly guard: Guard,
	) {
		this.scripts = defineScripts(client, STORE_SCRIPT_DIR, { optOutAdd: 2, optOutRemove: 2 });
	}

	private keys(list: OptOutList): [string, string] {
		return [optOutListKey(list.backend, list.senderId), optOutOrderKey(list.backend, list.senderId)];
	}

	async add(list: OptOutList, people: Array<{ phone: string; entry: OptOutEntry }>) {
		return await chunked(people, async (chunk) => {
			const args = chunk.flatMap(({ phone, entry }) => [phone, JSON.stringify(entry), epochMs(entry)]);
			const existing = (await this.guard(() => this.scripts.optOutAdd(...this.keys(list), ...args))) as Array<string | null>;
			return existing.map(parseOptOutEntry);
		});
	}

	async remove(list: OptOutList, phones: string[]) {
		return await chunked(phones, async (chunk) => {
			const removed = (await this.guard(() => this.scripts.optOutRemove(...this.keys(list), ...chunk))) as Array<string | null>;
			return removed.map(parseOptOutEntry);
		});
	}

	async lookup(list: OptOutList, phones: string[]) {
		const [hash] = this.keys(list);
		return await chunked(phones, async (chunk) => (await this.guard(() => this.client.hmget(hash, ...chunk))).map(parseOptOutEntry));
	}

	async page(list: OptOutList, offset: number, limit: number) {
		const [, order] = this.keys(list);
		const [total, phones] = await this.guard(async () => {
			const replies = await this.client
				.multi()
				.zcard(order)
				.zrange(order, offset, offset + limit - 1)
				.exec();
			return [Number(replies?.[0]?.[1] ?? 0), (replies?.[1]?.[1] ?? []) as string[]] as const;
		});
		const entries = phones.length ? await this.lookup(list, phones) : [];
		return { total, items: phones.flatMap((phone, index) => (entries[index] ? [{ phone, ...entries[index] }] : [])) };
	}
}

/**
 * The lists in this process's memory (no Redis credential): shared by every execution of this n8n process, lost
 * on restart. Never evicted: dropping an entry would message someone who asked not to be.
 */
export class MemoryOptOuts implements OptOutStore {
	private readonly lists = new Map<string, Map<string, OptOutEntry>>();

	private listOf(list: OptOutList): Map<string, OptOutEntry> {
		const key = optOutListKey(list.backend, list.senderId);
		if (!this.lists.has(key)) this.lists.set(key, new Map());
		return this.lists.get(key)!;
	}

	async add(list: OptOutList, people: Array<{ phone: string; entry: OptOutEntry }>) {
		const entries = this.listOf(list);
		return people.map(({ phone, entry }) => {
			const existing = entries.get(phone);
			if (!existing) entries.set(phone, entry);
			return existing;
		});
	}

	async remove(list: OptOutList, phones: string[]) {
		const entries = this.listOf(list);
		return phones.map((phone) => {
			const existing = entries.get(phone);
			entries.delete(phone);
			return existing;
		});
	}

	async lookup(list: OptOutList, phones: string[]) {
		const entries = this.listOf(list);
		return phones.map((phone) => entries.get(phone));
	}

	/** Ordered as Redis orders the sorted set: by time, then by phone. */
	async page(list: OptOutList, offset: number, limit: number) {
		const all = [...this.listOf(list)].map(([phone, entry]) => ({ phone, ...entry }));
		all.sort((a, b) => epochMs(a) - epochMs(b) || (a.phone < b.phone ? -1 : a.phone > b.phone ? 1 : 0));
		return { total: all.length, items: all.slice(offset, offset + limit) };
	}
}
