import { createHash } from 'node:crypto';
import type { Kv } from '../store/kv';

export const EVENT_NAMES = ['message', 'message_ack', 'session', 'campaign'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

export interface Webhook {
	id: string;
	url: string;
	events: EventName[];
	createdAt: string;
}

/**
 * Registered webhook URLs, one per URL: registering a URL again updates its events and keeps its ID. Stored in
 * the Kv; the list last read is kept in memory (this gateway is the only writer of its suit's registry), so
 * events raised while Redis is unavailable still find their targets.
 */
export class WebhookRegistry {
	private known?: Webhook[];

	constructor(
		private readonly kv: Kv,
		private readonly key: string,
	) {}

	static idOf(url: string): string {
		return `wh_${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
	}

	async register(url: string, events: EventName[]): Promise<Webhook> {
		const id = WebhookRegistry.idOf(url);
		const existing = await this.kv.hget(this.key, id);
		const createdAt = existing ? (JSON.parse(existing) as Webhook).createdAt : new Date().toISOString();
		const webhook: Webhook = { id, url, events, createdAt };
		await this.kv.hset(this.key, id, JSON.stringify(webhook));
		await this.list();
		return webhook;
	}

	/** Reads the registry (and remembers it for `cached`). */
	async list(): Promise<Webhook[]> {
		const values = await this.kv.hvals(this.key);
		this.known = values.map((value) => JSON.parse(value) as Webhook).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
		return this.known;
	}

	/** The registry as last read; undefined until it was read once. */
	cached(): Webhook[] | undefined {
		return this.known;
	}

	async remove(id: string): Promise<boolean> {
		const removed = await this.kv.hdel(this.key, id);
		await this.list();
		return removed;
	}
}
