import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { Channel } from '../channel/types';
import { noteCampaignStart, recordSkippedOutcomes } from '../delivery/campaignReport';
import { linkContacts } from '../delivery/contacts';
import { type HandOffOutcome, campaignRefusals, handOffSegment } from '../delivery/handOff';
import { type Outcome, deliverSegment } from '../delivery/segment';
import { templateHealthGuard } from '../delivery/templateHealth';
import type { Envelope } from '../message';
import { addressOf, type ContactRecipient, namesBsuid, parseRecipientOrBsuid } from '../identity';
import { deliveryPlanFrom } from './delivery';
import { errorItemJson, toNodeError } from './nodeErrors';
import { skippingOptedOut } from './optOutSkips';
import { stateStoreFor } from './store';
import { causeOf } from '../../../contract/log';

/** What one input item asks for, checked and ready to run. */
export type PlannedItem =
	/** A message to deliver; `details` are added to its result item (e.g. the rendered text). */
	| { kind: 'send'; envelope: Envelope; details?: IDataObject }
	/** Another call to the backend, such as mark as read. */
	| { kind: 'call'; run: (channel: Channel) => Promise<IDataObject> }
	/** A result that needs no request (a preview, a skip decided while reading the item). */
	| { kind: 'result'; json: IDataObject };

/**
 * Where a send went when the item named a BSUID: `sentTo` phone (Meta's rule: `to` wins over `recipient`) or userId,
 * and the BSUID; nothing for a phone or group alone.
 */
function bsuidAddressing(to: ContactRecipient): IDataObject {
	if (!namesBsuid(to)) return {};
	return to.kind === 'user'
		? { sentTo: 'userId', userId: to.userId }
		: { sentTo: 'phone', userId: to.kind === 'person' ? to.userId : undefined };
}

/** A send's result item; the recipient is `to` only (the outcome's own `recipient` is its ledger key). */
function outcomeJson(outcome: Outcome | HandOffOutcome, envelope: Envelope, details: IDataObject = {}): IDataObject {
	const base = { to: addressOf(envelope.to), ...bsuidAddressing(envelope.to), type: envelope.message.type, ...details };
	if (outcome.status === 'failed')
		return { ...base, ...('campaignId' in outcome && { campaignId: outcome.campaignId }), ...errorItemJson(outcome.error) };
	const result: IDataObject = { ...base, ...outcome };
	delete result.recipient;
	return result;
}

/**
 * The `to` of an item refused before sending: the recipient as it would have been sent, or as entered when that
 * is what was refused; absent when the node has no recipient there (mark as read, campaign operations).
 */
function refusedRecipient(context: IExecuteFunctions, itemIndex: number): IDataObject {
	try {
		const entered = context.getNodeParameter('recipient', itemIndex, '');
		if (entered === '' || entered === null || entered === undefined) return {};
		try {
			return { to: addressOf(parseRecipientOrBsuid(entered)) };
		} catch {
			// The recipient is what was refused: the item's error says why, and `to` shows it as entered.
			return { to: String(entered) };
		}
	} catch {
		// No readable recipient parameter: the item's error (why the item was refused) is what matters.
		return {};
	}
}

type Send = { itemIndex: number; plan: Extract<PlannedItem, { kind: 'send' }> };

/**
 * Skips people on the sender's opt-out list, sends the rest as a segment from n8n or hands them to the container
 * as a campaign, and records the skips in the campaign's report; one outcome per send, in order.
 */
async function deliver(
	context: IExecuteFunctions,
	channel: Channel,
	sends: Send[],
	refuse: (send: Send, error: unknown) => void,
): Promise<Array<Outcome | HandOffOutcome | undefined>> {
	const plan = deliveryPlanFrom(context, channel, sends.length);
	const store = await stateStoreFor(context).catch((error) => {
		throw toNodeError(context.getNode(), error, sends[0].itemIndex);
	});
	const campaignId = plan.mode === 'campaign' ? plan.campaign.campaignId : plan.config.campaignId;
	try {
		await noteCampaignStart(channel, store, campaignId);
		await linkContacts(
			channel,
			store.contacts,
			sends.map(({ plan: { envelope } }) => envelope),
		);
		const outcomes = await skippingOptedOut(
			context,
			channel,
			store,
			sends,
			async (reachable): Promise<Array<Outcome | HandOffOutcome | undefined>> => {
				if (plan.mode !== 'campaign')
					return await deliverSegment(
						channel,
						store,
						reachable.map(({ plan: { envelope } }) => envelope),
						// Meta pauses templates, not Lite: a Cloud segment stops sending one Meta paused.
						channel.backend === 'cloud'
							? { ...plan.config, guard: templateHealthGuard(store.templateHealth, context.logger) }
							: plan.config,
						context.getExecutionCancelSignal?.(),
					);
				// Every item is checked before anything is handed over, as for any send.
				const refusals = campaignRefusals(reachable.map(({ plan: { envelope } }) => envelope));
				refusals.forEach((refusal, index) => refusal && refuse(reachable[index], refusal));
				const fit = reachable.filter((_, index) => !refusals[index]);
				const handedOver = fit.length
					? await handOffSegment(
							plan.sink,
							fit.map(({ plan: { envelope } }) => envelope),
							plan.campaign,
						)
					: [];
				const byItem = new Map(fit.map((send, index) => [send.itemIndex, handedOver[index]]));
				return reachable.map((send) => byItem.get(send.itemIndex));
			},
		);
		// Each skipped item (opted-out people too) says why; a store lost during the run must not turn the items of a finished send into an error.
		await recordSkippedOutcomes(channel, store, campaignId, outcomes).catch((error: unknown) =>
			context.logger.warn("WhatsApp skips could not be recorded in the campaign's report", { campaignId, ...causeOf(error) }),
		);
		return outcomes;
	} finally {
		await store.close();
	}
}

/**
 * Runs a node's items in two passes. First every item is read and validated, so bad input fails before anything
 * is sent. Then the sends go out together as one segment through the delivery engine (ledger, quota, pace,
 * retries), people on the sender's opt-out list skipped first, and other calls run in item order. One output item per input item, paired with it; a failed item
 * throws (after the segment finished, so every other recipient got its chance and the ledger is complete) or,
 * with continueOnFail, becomes an error item.
 */
export async function runItems(
	context: IExecuteFunctions,
	channel: Channel,
	planItem: (itemIndex: number) => Promise<PlannedItem>,
): Promise<INodeExecutionData[]> {
	const items = context.getInputData();
	const continueOnFail = context.continueOnFail();
	const planned: Array<PlannedItem | { kind: 'invalid'; error: unknown }> = [];

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			planned.push(await planItem(itemIndex));
		} catch (error) {
			if (!continueOnFail) throw toNodeError(context.getNode(), error, itemIndex);
			planned.push({ kind: 'invalid', error });
		}
	}

	const results: IDataObject[] = new Array(planned.length);
	const failures: Array<{ itemIndex: number; error: unknown }> = [];

	const sends = planned.flatMap((plan, itemIndex) => (plan.kind === 'send' ? [{ itemIndex, plan }] : []));
	if (sends.length) {
		const refuse = ({ itemIndex }: Send, error: unknown) => {
			if (!continueOnFail) throw toNodeError(context.getNode(), error, itemIndex);
			planned[itemIndex] = { kind: 'invalid', error };
		};
		const outcomes = await deliver(context, channel, sends, refuse);
		outcomes.forEach((outcome, index) => {
			const { itemIndex, plan } = sends[index];
			if (!outcome) return;
			results[itemIndex] = outcomeJson(outcome, plan.envelope, plan.details);
			if (outcome.status === 'failed') failures.push({ itemIndex, error: outcome.error });
		});
	}

	for (let itemIndex = 0; itemIndex < planned.length; itemIndex++) {
		const plan = planned[itemIndex];
		if (plan.kind === 'invalid') {
			results[itemIndex] = { ...refusedRecipient(context, itemIndex), ...errorItemJson(plan.error) };
		} else if (plan.kind === 'result') {
			results[itemIndex] = plan.json;
		} else if (plan.kind === 'call') {
			try {
				results[itemIndex] = await plan.run(channel);
			} catch (error) {
				failures.push({ itemIndex, error });
				results[itemIndex] = errorItemJson(error);
			}
		}
	}

	if (!continueOnFail && failures.length) {
		const first = failures.sort((a, b) => a.itemIndex - b.itemIndex)[0];
		throw toNodeError(context.getNode(), first.error, first.itemIndex);
	}
	return results.map((json, itemIndex) => ({ json, pairedItem: { item: itemIndex } }));
}
