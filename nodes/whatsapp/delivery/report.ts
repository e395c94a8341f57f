import { metaErrorCodeIn, metaErrorDescription } from '../channel/metaErrors';
import type { MessageRecord, SkipRecord } from '../store/reports';
import type { LedgerEntry } from '../store/types';

/** Where a recipient of a campaign is: before sending, sent and how far it got, or why not. */
export type RecipientState = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'skipped' | 'unknown';

/** A recipient as the sending side knows it (the campaign ledger, or the Lite gateway's receiver list). */
export interface SendRow {
	recipient: string;
	state: 'queued' | 'sending' | 'sent' | 'failed' | 'skipped' | 'unknown';
	messageId?: string;
	/** When it was sent, or last changed when it was not. */
	at?: string;
	reason?: string;
	userID?: string;
}

/** One recipient row of a campaign report, as Get Campaign puts it on an item. */
export interface RecipientRow {
	recipient: string;
	state: RecipientState;
	replied: boolean;
	messageId?: string;
	userID?: string;
	sentAt?: string;
	deliveredAt?: string;
	readAt?: string;
	repliedAt?: string;
	failedAt?: string;
	errorCode?: number | string;
	/** Failed: what went wrong in plain language (Meta's code explained, or the sender's reason). */
	error?: string;
	/** Skipped, queued or unknown: why. */
	reason?: string;
}

export interface CampaignCounts {
	/** Every recipient of the report. */
	total: number;
	queued: number;
	/** A request left and its answer is still awaited (Cloud, Lite sent from n8n) or being handed to WhatsApp. */
	sending: number;
	/** Every message that left, whatever became of it later. */
	sent: number;
	/** Reached the phone (read ones included). */
	delivered: number;
	read: number;
	replied: number;
	/** Never sent, or failed after it was sent. */
	failed: number;
	skipped: number;
	/** Skipped because the person opted out (a part of `skipped`). */
	optedOut: number;
	/** May have been sent: the sender stopped before the answer came. */
	unknown: number;
}

export interface CampaignSummary {
	counts: CampaignCounts;
	failedBy: Array<{ errorCode: number | string | null; description: string; count: number }>;
	skippedBy: Array<{ reason: string; count: number }>;
	firstSentAt: string | null;
	lastSentAt: string | null;
}

const byRecipient = (a: { recipient: string }, b: { recipient: string }) =>
	a.recipient < b.recipient ? -1 : a.recipient > b.recipient ? 1 : 0;

/** The ledger's entries as rows, by recipient. A claim is still queued; `sending` means a request may have left. */
export function ledgerRows(ledger: Map<string, LedgerEntry>): SendRow[] {
	const state = { claimed: 'queued', sending: 'sending', sent: 'sent', failed: 'failed' } as const;
	return [...ledger]
		.map(
			([recipient, entry]): SendRow => ({
				recipient,
				state: state[entry.status],
				messageId: entry.messageId,
				at: entry.at,
				reason: entry.reason,
			}),
		)
		.sort(byRecipient);
}

/** The Lite gateway's receiver items (docs/lite-api.md, "Following a campaign") as rows, in queue order. */
export function gatewayRows(items: Array<Record<string, unknown>>): SendRow[] {
	return items.map((item) => ({
		recipient: String(item.recipient),
		state: item.state as SendRow['state'],
		messageId: item.messageId as string | undefined,
		at: item.updatedAt as string | undefined,
		reason: item.reason as string | undefined,
		userID: item.userID as string | undefined,
	}));
}

/** Meta's plain-language meaning of a code, else what the status or the sender said. */
function errorText(code: number | string | undefined, fallback: string | undefined): string | undefined {
	const known = code !== undefined && Number.isInteger(Number(code)) ? metaErrorDescription(Number(code)) : undefined;
	return known ?? fallback;
}

function withDelivery(row: SendRow, record: MessageRecord | undefined): RecipientRow {
	const base: RecipientRow = { recipient: row.recipient, state: row.state, replied: false, messageId: row.messageId, userID: row.userID };
	if (row.state === 'failed') {
		const errorCode = row.reason ? metaErrorCodeIn(row.reason) : undefined;
		return { ...base, errorCode, error: errorText(errorCode, row.reason) };
	}
	if (row.state !== 'sent') return { ...base, reason: row.reason };
	const sent: RecipientRow = { ...base, sentAt: record?.sentAt ?? row.at };
	if (!record) return sent;
	const { deliveredAt, readAt, repliedAt, failedAt, error } = record;
	return {
		...sent,
		state: record.state,
		replied: repliedAt !== undefined,
		deliveredAt,
		readAt,
		repliedAt,
		failedAt,
		errorCode: error?.code,
		error: record.state === 'failed' ? errorText(error?.code, error?.title) : undefined,
	};
}

/**
 * Each recipient's row: the sending side's state; a skip recorded after it (or for someone it never had) makes
 * the row skipped; a sent message takes its delivery state, times and reply from its record. Rows come in the
 * sending side's order, then the skipped-only recipients by number.
 */
export function reportRows(sendRows: SendRow[], skips: Map<string, SkipRecord>, records: Map<string, MessageRecord>): RecipientRow[] {
	const known = new Set(sendRows.map((row) => row.recipient));
	const rows = sendRows.map((row): RecipientRow => {
		const skip = skips.get(row.recipient);
		if (skip && row.state === 'failed' && skip.at >= (row.at ?? ''))
			return { recipient: row.recipient, state: 'skipped', replied: false, reason: skip.reason };
		return withDelivery(row, row.messageId ? records.get(row.messageId) : undefined);
	});
	const skippedOnly = [...skips]
		.filter(([recipient]) => !known.has(recipient))
		.map(([recipient, skip]): RecipientRow => ({ recipient, state: 'skipped', replied: false, reason: skip.reason }));
	return [...rows, ...skippedOnly.sort(byRecipient)].map(compactRow);
}

function compactRow(row: RecipientRow): RecipientRow {
	return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== undefined)) as unknown as RecipientRow;
}

/** A skip reason without its particulars (dates, counts, quotes): "opted out on 2024-06-01 ("STOP")" → "opted out". */
export function reasonKind(reason: string): string {
	return reason.split(/\s*(?:[(:;"]|\bon \d|\bafter\b)/)[0].trim() || reason;
}

function tally<T>(rows: RecipientRow[], keyOf: (row: RecipientRow) => string, make: (row: RecipientRow, count: number) => T): T[] {
	const groups = new Map<string, { row: RecipientRow; count: number }>();
	for (const row of rows) {
		const key = keyOf(row);
		const group = groups.get(key);
		if (group) group.count++;
		else groups.set(key, { row, count: 1 });
	}
	return [...groups.values()].sort((a, b) => b.count - a.count).map(({ row, count }) => make(row, count));
}

export function summarize(rows: RecipientRow[]): CampaignSummary {
	const counts: CampaignCounts = {
		total: rows.length,
		queued: 0,
		sending: 0,
		sent: 0,
		delivered: 0,
		read: 0,
		replied: 0,
		failed: 0,
		skipped: 0,
		optedOut: 0,
		unknown: 0,
	};
	const sentTimes: string[] = [];
	for (const row of rows) {
		if (row.sentAt) {
			counts.sent++;
			sentTimes.push(row.sentAt);
		}
		if (row.state === 'delivered' || row.state === 'read') counts.delivered++;
		if (row.state === 'read') counts.read++;
		if (row.replied) counts.replied++;
		if (row.state === 'queued' || row.state === 'sending' || row.state === 'failed' || row.state === 'skipped' || row.state === 'unknown')
			counts[row.state]++;
		if (row.state === 'skipped' && row.reason?.startsWith('opted out')) counts.optedOut++;
	}
	sentTimes.sort();
	const failed = rows.filter((row) => row.state === 'failed');
	const skipped = rows.filter((row) => row.state === 'skipped');
	return {
		counts,
		failedBy: tally(
			failed,
			(row) => String(row.errorCode ?? row.error ?? ''),
			(row, count) => ({ errorCode: row.errorCode ?? null, description: row.error ?? 'failed', count }),
		),
		skippedBy: tally(
			skipped,
			(row) => reasonKind(row.reason ?? ''),
			(row, count) => ({ reason: reasonKind(row.reason ?? ''), count }),
		),
		firstSentAt: sentTimes[0] ?? null,
		lastSentAt: sentTimes[sentTimes.length - 1] ?? null,
	};
}
