import type { Backend } from '../channel/types';
import {
	type DeliveryReports,
	type DeliveryUpdate,
	type MessageRecord,
	type SkipRecord,
	REPLY_WINDOW_SECONDS,
	REPORT_TTL_SECONDS,
	advance,
	campaignDayKeyOf,
	indexOnSent,
	latestKeyOf,
	messageKeyOf,
	skippedKeyOf,
} from './reports';
import type { LedgerEntry } from './types';

/** The memory store's expiring entries, as the reports use them. A hash field is the key `<hash>\0<field>`. */
export interface ExpiringEntries {
	read<T>(key: string): T | undefined;
	write(key: string, value: unknown, ttlSeconds: number): void;
	/** The live entries of one hash, by field. */
	fields<T>(hashKey: string): Map<string, T>;
}

export const fieldKey = (hashKey: string, field: string) => `${hashKey}\u0000${field}`;

/** Writes a ledger entry's index entries (see indexOnSent). */
export function writeSentIndex(entries: ExpiringEntries, ledgerKey: string, recipient: string, entry: LedgerEntry): void {
	const index = indexOnSent(ledgerKey, recipient, entry);
	if (!index) return;
	entries.write(index.messageKey, index.record, REPORT_TTL_SECONDS);
	entries.write(index.latestKey, index.messageId, REPLY_WINDOW_SECONDS);
}

/** Delivery reports in this process's memory, with the semantics of RedisDeliveryReports. */
export class MemoryDeliveryReports implements DeliveryReports {
	constructor(private readonly entries: ExpiringEntries) {}

	async update(backend: Backend, messageId: string, update: DeliveryUpdate, createFor?: { senderId: string; recipient: string }) {
		const key = messageKeyOf(backend, messageId);
		const existing = this.entries.read<MessageRecord>(key);
		if (!existing && !createFor) return false;
		const record = existing ?? { state: 'sent' as const, recipient: createFor!.recipient };
		if (!existing) this.entries.write(latestKeyOf(backend, createFor!.senderId, createFor!.recipient), messageId, REPLY_WINDOW_SECONDS);
		const next = advance(record, update) ?? (existing ? undefined : record);
		if (next) this.entries.write(key, next, REPORT_TTL_SECONDS);
		return next !== undefined;
	}

	async latestMessage(backend: Backend, senderId: string, recipient: string) {
		return this.entries.read<string>(latestKeyOf(backend, senderId, recipient));
	}

	async messages(backend: Backend, messageIds: string[]) {
		return messageIds.map((id) => this.entries.read<MessageRecord>(messageKeyOf(backend, id)));
	}

	async ledger(ledgerKey: string) {
		return this.entries.fields<LedgerEntry>(ledgerKey);
	}

	async recordSkips(backend: Backend, senderId: string, campaignId: string, skips: Array<{ recipient: string } & SkipRecord>) {
		const key = skippedKeyOf(backend, senderId, campaignId);
		for (const { recipient, reason, at } of skips) this.entries.write(fieldKey(key, recipient), { reason, at }, REPORT_TTL_SECONDS);
	}

	async skips(backend: Backend, senderId: string, campaignId: string) {
		return this.entries.fields<SkipRecord>(skippedKeyOf(backend, senderId, campaignId));
	}

	async noteCampaign(backend: Backend, senderId: string, campaignId: string, day: string) {
		this.entries.write(fieldKey(campaignDayKeyOf(backend, senderId, day), campaignId), true, REPORT_TTL_SECONDS);
	}

	async campaignsOn(backend: Backend, senderId: string, day: string) {
		return [...this.entries.fields(campaignDayKeyOf(backend, senderId, day)).keys()].sort();
	}
}
