import { createHash } from 'node:crypto';
import type { Kv } from '../store/kv';

export const EVENT_NAMES = ['message', 'message_ack', 'session', 'campaign'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** What every registration has: one per URL. */
export interface Registered {
	id: string;
	url: string;
	createdAt: string;
}

export type Webhook = Registered & { events: EventName[] };

/** A registration's ID: the same for the same URL, so registering again updates it. */
function registrationId(prefix: string, url: string): string {
	return `${prefix}${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
}

/**
 * Registrations of receiver URLs, one per URL: registering a URL again updates what it asked for and keeps its ID.
 * Stored in the Kv; the list last read is kept in memory (this gateway is the only writer of its registry), so
 * events raised while Redis is unavailable still find their targets. `T`: what a registration asks for.
 */
export class Registry<T extends object> {
	private known?: Array<Registered & T>;

	constructor(
		private readonly kv: Kv,
		private readonly key: string,
		private readonly prefix = 'wh_',
	) {}

	idOf(url: string): string {
		return registrationId(this.prefix, url);
	}

	async put(url: string, wants: T): Promise<Registered & T> {
		const id = this.idOf(url);
		const existing = await this.kv.hget(this.key, id);
		const createdAt = existing ? (JSON.parse(existing) as Registered).createdAt : new Date().toISOString();
		const registration = { id, url, ...wants, createdAt };
		await this.kv.hset(this.key, id, JSON.stringify(registration));
		await this.list();
		return registration;
	}

	/** Reads the registry (and remembers it for `cached`). */
	async list(): Promise<Array<Registered & T>> {
		const values = await this.kv.hvals(this.key);
		this.known = values.map((value) => JSON.parse(value) as Registered & T).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
		return this.known;
	}

	/** The registry as last read; undefined until it was read once. */
	cached(): Array<Registered & T> | undefined {
		return this.known;
	}

	async remove(id: string): Promise<boolean> {
		const removed = await this.kv.hdel(this.key, id);
		await this.list();
		return removed;
	}
}

/** The Lite events' webhooks. */
export class WebhookRegistry extends Registry<{ events: EventName[] }> {
	static idOf(url: string): string {
		return registrationId('wh_', url);
	}

	async register(url: string, events: EventName[]): Promise<Webhook> {
		return await this.put(url, { events });
	}
}
