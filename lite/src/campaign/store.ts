import type { Kv } from '../store/kv';
import type { CampaignSettings, QueuedReceiver } from './bulkRequest';

/**
 * Campaigns in the Kv (durable with Redis):
 * - `campaigns`: IDs of campaigns with receivers left, oldest first
 * - `campaign:<id>`: settings; `campaign:<id>:pending`: receivers left, in order
 * - `campaign:<id>:queued`: every recipient ever queued (a repeated request queues nobody twice)
 * - `campaign:<id>:claimed`: recipients whose send has begun, claimed before sending (at most once)
 * - `bulk:nextSendAt`: when the next campaign message may go out (epoch ms), so pacing survives restarts
 */
export class CampaignStore {
	constructor(
		private readonly kv: Kv,
		private readonly base: string,
	) {}

	private key(id: string, part = ''): string {
		return `${this.base}campaign:${id}${part}`;
	}

	/** Queues the receivers not queued before; returns those that were. */
	async enqueue(settings: CampaignSettings, receivers: QueuedReceiver[]): Promise<QueuedReceiver[]> {
		const fresh: QueuedReceiver[] = [];
		for (const receiver of receivers) {
			if (await this.kv.sadd(this.key(settings.id, ':queued'), receiver.recipient)) fresh.push(receiver);
		}
		if (fresh.length === 0) return fresh;
		if (!(await this.kv.get(this.key(settings.id)))) await this.kv.set(this.key(settings.id), JSON.stringify(settings));
		await this.kv.rpush(this.key(settings.id, ':pending'), fresh.map((receiver) => JSON.stringify(receiver)));
		if (!(await this.active()).includes(settings.id)) await this.kv.rpush(`${this.base}campaigns`, [settings.id]);
		return fresh;
	}

	active(): Promise<string[]> {
		return this.kv.lrange(`${this.base}campaigns`);
	}

	async settings(id: string): Promise<CampaignSettings | null> {
		const raw = await this.kv.get(this.key(id));
		return raw ? (JSON.parse(raw) as CampaignSettings) : null;
	}

	async peek(id: string): Promise<QueuedReceiver | null> {
		const raw = await this.kv.lfirst(this.key(id, ':pending'));
		return raw ? (JSON.parse(raw) as QueuedReceiver) : null;
	}

	async pop(id: string): Promise<void> {
		await this.kv.lpop(this.key(id, ':pending'));
	}

	/** True when this call took the claim: only then may the receiver be sent to. */
	claim(id: string, receiver: QueuedReceiver): Promise<boolean> {
		return this.kv.sadd(this.key(id, ':claimed'), receiver.recipient);
	}

	/** Gives a claim back when the send certainly did not happen (quota used up, session down). */
	unclaim(id: string, receiver: QueuedReceiver): Promise<void> {
		return this.kv.srem(this.key(id, ':claimed'), receiver.recipient);
	}

	/** Removes a campaign with nobody left; its queued and claimed sets stay to refuse repeats. */
	async finish(id: string): Promise<void> {
		await this.kv.lrem(`${this.base}campaigns`, id);
		await this.kv.del(this.key(id, ':pending'));
		await this.kv.del(this.key(id));
	}

	async nextSendAt(): Promise<number> {
		return Number((await this.kv.get(`${this.base}bulk:nextSendAt`)) ?? 0);
	}

	async setNextSendAt(epochMs: number): Promise<void> {
		await this.kv.set(`${this.base}bulk:nextSendAt`, String(epochMs));
	}

	async depth(): Promise<number> {
		let depth = 0;
		for (const id of await this.active()) depth += await this.kv.llen(this.key(id, ':pending'));
		return depth;
	}
}
