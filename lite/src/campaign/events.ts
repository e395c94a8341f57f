import { createHash } from 'node:crypto';
import type { QueuedReceiver } from './bulkRequest';
import type { Counts, Outcome } from './store';

/** `campaign` event data (docs/lite-api.md): one per recipient, and `finished` at the end. */
export type CampaignEvent =
	| {
			campaignId: string;
			recipient: string;
			userID?: string;
			status: 'sent' | 'failed' | 'skipped' | 'unknown';
			messageId?: string;
			reason?: string;
	  }
	| { campaignId: string; status: 'finished'; counts: Counts };

/** Raises a `campaign` event; `id` makes a repeated report of the same fact the same event. */
export type CampaignReporter = (event: CampaignEvent, id?: string) => void;

/** The same event ID for the same fact, so a report repeated after a crash is recognisably the same event. */
export function campaignEventId(...parts: string[]): string {
	return `evt_${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32)}`;
}

export function reportReceiver(
	report: CampaignReporter,
	campaignId: string,
	receiver: Pick<QueuedReceiver, 'recipient' | 'userID'>,
	outcome: Outcome | { state: 'skipped'; reason: string },
): void {
	const { state, ...detail } = outcome;
	const event = {
		campaignId,
		recipient: receiver.recipient,
		...(receiver.userID !== undefined && { userID: receiver.userID }),
		status: state,
		...detail,
	};
	report(event, campaignEventId(campaignId, receiver.recipient, state));
}
