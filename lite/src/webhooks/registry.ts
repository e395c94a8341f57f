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

/** Registered webhook URLs, one per URL: registering a URL again updates its events and keeps its ID. */
export class WebhookRegistry {
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
		return webhook;
	}

	async list(): Promise<Webhook[]> {
		const values = await this.kv.hvals(this.key);
		return values.map((value) => JSON.parse(value) as Webhook).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
	}

	async remove(id: string): Promise<boolean> {
		return this.kv.hdel(this.key, id);
	}
}
