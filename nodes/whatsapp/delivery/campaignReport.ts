import type { Channel, CampaignReport } from '../channel/types';
import { WhatsAppError, invalidInput } from '../../../contract/errors';
import { quotaDay } from '../../../contract/quota';
import { ledgerKeyOf } from '../store/reports';
import { MAX_REPORT_PAGE } from '../../../contract/limits';
import type { StateStore } from '../store/types';
import type { Outcome } from './segment';
import type { HandOffOutcome } from './handOff';
import { type CampaignSummary, type RecipientRow, type SendRow, gatewayRows, ledgerRows, reportRows, summarize } from './report';

/** Recipients one report reads at most: a bound on memory, far above a WhatsApp Web number's reach. */
export const MAX_REPORT_RECIPIENTS = 100_000;

export interface CampaignReportResult {
	campaignId: string;
	/** What the Lite container says of a campaign it sends (name, state, next send, quota); absent otherwise. */
	container?: Omit<CampaignReport, 'counts' | 'recipients'>;
	summary: CampaignSummary;
	rows: RecipientRow[];
}

/** Runs a call to the backend with its retries. */
export type Call = <T>(operation: () => Promise<T>) => Promise<T>;

const isUnknownCampaign = (error: unknown) => error instanceof WhatsAppError && error.code === 'CAMPAIGN_NOT_FOUND';

/** Every receiver the container lists for a campaign, or undefined when it knows no such campaign. */
async function containerCampaign(
	channel: Channel,
	campaignId: string,
	call: Call,
): Promise<{ container: CampaignReportResult['container']; rows: SendRow[] } | undefined> {
	const sink = channel.campaigns;
	if (!sink) return undefined;
	const page = async (offset: number) => await call(() => sink.report(campaignId, { offset, limit: MAX_REPORT_PAGE }));
	let first: CampaignReport;
	try {
		first = await page(0);
	} catch (error) {
		if (isUnknownCampaign(error)) return undefined;
		// The engine throws typed WhatsAppErrors; nodes turn them into NodeApiError with the item index.
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
		throw error;
	}
	const items = [...first.recipients.items];
	while (items.length < first.recipients.total && items.length <= MAX_REPORT_RECIPIENTS) {
		const next = await page(items.length);
		if (!next.recipients.items.length) break;
		items.push(...next.recipients.items);
	}
	if (items.length > MAX_REPORT_RECIPIENTS) throw tooLarge(campaignId);
	const { name, state, nextSendAt, quota } = first;
	return { container: { campaignId, name, state, nextSendAt, quota }, rows: gatewayRows(items) };
}

const tooLarge = (campaignId: string) =>
	invalidInput(
		'Campaign ID',
		campaignId,
		`has more than ${MAX_REPORT_RECIPIENTS.toLocaleString('en')} recipients, more than one report reads`,
		'Split such segments into several campaigns',
	);

function notFound(channel: Channel, campaignId: string): WhatsAppError {
	return new WhatsAppError(`No campaign ${campaignId} for this ${channel.backend === 'cloud' ? 'phone number' : 'suit'}`, {
		kind: 'api',
		code: 'CAMPAIGN_NOT_FOUND',
		description:
			'Neither the campaign ledger nor the Lite container knows this campaign: it was never sent, sent with Once Per Recipient off, sent with another WhatsApp Shared State (Redis) credential, or expired after 30 days',
		fix: "Use the campaignId on the sending node's items, and give this node the same WhatsApp Shared State (Redis) credential as the sending node",
	});
}

/**
 * A campaign's report: the container's receiver list (a Container Campaign) or the campaign ledger (sent from
 * n8n), with the skips the sending nodes recorded and the delivery states and replies the trigger recorded.
 */
export async function campaignReport(channel: Channel, store: StateStore, campaignId: string, call: Call): Promise<CampaignReportResult> {
	const { reports } = store;
	const fromContainer = await containerCampaign(channel, campaignId, call);
	const sendRows = fromContainer?.rows ?? ledgerRows(await reports.ledger(ledgerKeyOf(channel.backend, channel.senderId, campaignId)));
	const skips = await reports.skips(channel.backend, channel.senderId, campaignId);
	if (!fromContainer && !sendRows.length && !skips.size) throw notFound(channel, campaignId);
	if (sendRows.length > MAX_REPORT_RECIPIENTS) throw tooLarge(campaignId);
	const messageIds = sendRows.flatMap((row) => (row.messageId ? [row.messageId] : []));
	const records = await reports.messages(channel.backend, messageIds);
	const byId = new Map(messageIds.flatMap((id, index) => (records[index] ? [[id, records[index]!] as const] : [])));
	const rows = reportRows(sendRows, skips, byId);
	return { campaignId, container: fromContainer?.container, summary: summarize(rows), rows };
}

/** Notes the campaign under today's date before anything is sent (List Campaigns), so a store that is down stops the send. */
export async function noteCampaignStart(channel: Channel, store: StateStore, campaignId: string, now = new Date()): Promise<void> {
	await store.reports.noteCampaign(channel.backend, channel.senderId, campaignId, quotaDay(now));
}

/** Records the recipients this run skipped and sent nothing to (a recipient also sent or queued in it is not skipped). */
export async function recordSkippedOutcomes(
	channel: Channel,
	store: StateStore,
	campaignId: string,
	outcomes: Array<Outcome | HandOffOutcome | undefined>,
	now = new Date(),
): Promise<void> {
	const reached = new Set(outcomes.flatMap((outcome) => (outcome && outcome.status !== 'skipped' ? [outcome.recipient] : [])));
	const at = now.toISOString();
	const skips = outcomes.flatMap((outcome) =>
		outcome?.status === 'skipped' && !reached.has(outcome.recipient) ? [{ recipient: outcome.recipient, reason: outcome.reason, at }] : [],
	);
	await store.reports.recordSkips(channel.backend, channel.senderId, campaignId, skips);
}
