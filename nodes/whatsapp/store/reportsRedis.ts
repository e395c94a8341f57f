import { defineScripts } from '../../../contract/redis/scripts';
import { STORE_SCRIPT_DIR } from './scripts';
import type { Backend } from '../channel/types';
import {
	type DeliveryReports,
	type DeliveryUpdate,
	type MessageRecord,
	type SkipRecord,
	REPLY_WINDOW_SECONDS,
	REPORT_TTL_SECONDS,
	campaignDayKeyOf,
	latestKeyOf,
	messageKeyOf,
	skippedKeyOf,
} from './reports';
import type { LedgerEntry, RedisClient } from './types';

/** MGET takes this many message IDs at a time. */
const MGET_CHUNK = 1000;

/** Delivery reports in Redis; `run` maps a lost connection to the store's error. */
export class RedisDeliveryReports implements DeliveryReports {
	private readonly scripts;

	constructor(
		private readonly client: RedisClient,
		private readonly run: <T>(operation: () => Promise<T>) => Promise<T>,
	) {
		this.scripts = defineScripts(client, STORE_SCRIPT_DIR, { reportAdvance: 2 });
	}

	async update(backend: Backend, messageId: string, update: DeliveryUpdate, createFor?: { senderId: string; recipient: string }) {
		const error = update.state === 'failed' && update.error ? JSON.stringify(update.error) : '';
		const messageKey = messageKeyOf(backend, messageId);
		// The script touches the latest-message key only when it creates the record (createFor); else any key does.
		const latestKey = createFor ? latestKeyOf(backend, createFor.senderId, createFor.recipient) : messageKey;
		const changed = await this.run(() =>
			this.scripts.reportAdvance(
				messageKey,
				latestKey,
				update.state,
				update.at,
				error,
				createFor?.recipient ?? '',
				REPORT_TTL_SECONDS,
				messageId,
				REPLY_WINDOW_SECONDS,
			),
		);
		return changed === 1;
	}

	async latestMessage(backend: Backend, senderId: string, recipient: string) {
		return (await this.run(() => this.client.get(latestKeyOf(backend, senderId, recipient)))) ?? undefined;
	}

	async messages(backend: Backend, messageIds: string[]) {
		const records: Array<MessageRecord | undefined> = [];
		for (let start = 0; start < messageIds.length; start += MGET_CHUNK) {
			const keys = messageIds.slice(start, start + MGET_CHUNK).map((id) => messageKeyOf(backend, id));
			const values = await this.run(() => this.client.mget(keys));
			records.push(...values.map((value) => (value ? (JSON.parse(value) as MessageRecord) : undefined)));
		}
		return records;
	}

	async ledger(ledgerKey: string) {
		const entries = await this.run(() => this.client.hgetall(ledgerKey));
		return new Map(Object.entries(entries).map(([recipient, value]) => [recipient, JSON.parse(value) as LedgerEntry]));
	}

	async recordSkips(backend: Backend, senderId: string, campaignId: string, skips: Array<{ recipient: string } & SkipRecord>) {
		if (!skips.length) return;
		const key = skippedKeyOf(backend, senderId, campaignId);
		const fields = skips.flatMap(({ recipient, reason, at }) => [recipient, JSON.stringify({ reason, at })]);
		await this.run(() =>
			this.client
				.multi()
				.hset(key, ...fields)
				.expire(key, REPORT_TTL_SECONDS)
				.exec(),
		);
	}

	async skips(backend: Backend, senderId: string, campaignId: string) {
		const entries = await this.run(() => this.client.hgetall(skippedKeyOf(backend, senderId, campaignId)));
		return new Map(Object.entries(entries).map(([recipient, value]) => [recipient, JSON.parse(value) as SkipRecord]));
	}

	async noteCampaign(backend: Backend, senderId: string, campaignId: string, day: string) {
		const key = campaignDayKeyOf(backend, senderId, day);
		await this.run(() => this.client.multi().sadd(key, campaignId).expire(key, REPORT_TTL_SECONDS).exec());
	}

	async campaignsOn(backend: Backend, senderId: string, day: string) {
		return (await this.run(() => this.client.smembers(campaignDayKeyOf(backend, senderId, day)))).sort();
	}
}
