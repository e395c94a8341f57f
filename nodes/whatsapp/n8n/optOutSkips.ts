import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Channel } from '../channel/types';
import type { Envelope } from '../message';
import type { StateStore } from '../store/types';
import { identityAliases, identityOfRecipient, recipientKey } from '../identity';
import { optedOutReason } from '../../../contract/optOuts';
import { toNodeError } from './nodeErrors';

/** The Delivery setting that lets a node send to people on the opt-out list. */
export const sendToOptedOutProperty: INodeProperties = {
	displayName: 'Send to Opted-Out Recipients',
	name: 'sendToOptedOut',
	type: 'boolean',
	default: false,
	description:
		"Whether people on the opt-out list get this message anyway. Only for a service message the person asked for (an order update, a reply to their question), never for marketing: WhatsApp's Business Policy requires honouring an opt-out. Off: they are skipped with the date and the keyword.",
};

type Send = { itemIndex: number; plan: { envelope: Envelope } };
export type OptedOutSkip = { status: 'skipped'; recipient: string; reason: string };

/**
 * Runs `deliver` on the sends whose recipient is not on the sender's opt-out list, and skips the others before
 * anything is sent (no quota, no ledger). The list is read once for the whole segment. Outcomes in input order.
 */
export async function skippingOptedOut<S extends Send, O>(
	context: IExecuteFunctions,
	channel: Channel,
	store: StateStore,
	sends: S[],
	deliver: (sends: S[]) => Promise<Array<O | undefined>>,
): Promise<Array<O | OptedOutSkip | undefined>> {
	const delivery = context.getNodeParameter('delivery', 0, {}) as IDataObject;
	// Every key the person is known by: an opt-out recorded under their BSUID holds when the segment names their phone.
	const people = sends.map(({ plan: { envelope } }) => identityAliases(envelope.contact ?? identityOfRecipient(envelope.to) ?? {}));
	if (delivery.sendToOptedOut === true || !people.some((keys) => keys.length)) return await deliver(sends);

	const list = { backend: channel.backend, senderId: channel.senderId };
	let entries;
	try {
		entries = await store.optOuts.lookup(list, people.flat());
	} catch (error) {
		throw toNodeError(context.getNode(), error, sends[0].itemIndex);
	}
	const skips = new Map<number, OptedOutSkip>();
	let looked = 0;
	people.forEach((keys, index) => {
		const entry = keys.map(() => entries[looked++]).find(Boolean);
		if (entry) skips.set(index, { status: 'skipped', recipient: recipientKey(sends[index].plan.envelope), reason: optedOutReason(entry) });
	});
	const rest = sends.filter((_, index) => !skips.has(index));
	const delivered = rest.length ? await deliver(rest) : [];
	const byItem = new Map(rest.map((send, index) => [send.itemIndex, delivered[index]]));
	return sends.map((send, index) => skips.get(index) ?? byItem.get(send.itemIndex));
}
