import type { Channel } from '../channel/types';
import { identityOfRecipient, linkedIdentity } from '../identity';
import type { Envelope } from '../message';
import type { ContactLinks } from '../store/contacts';

/**
 * Gives each envelope the person it reaches (`contact`): its address with the phone or BSUID a webhook linked to it
 * (store/contacts.ts), so the opt-out list, the ledger's "once per recipient" and the reports know a person named
 * by phone and by BSUID as one. The address a message goes to does not change. One lookup for the segment; only on
 * backends with BSUIDs.
 */
export async function linkContacts(channel: Channel, links: ContactLinks, envelopes: Envelope[]): Promise<void> {
	if (!channel.capabilities.bsuids) return;
	const people = envelopes.map((envelope) => identityOfRecipient(envelope.to));
	const keys = people.map((person) => person?.phone ?? person?.userId);
	const asked = keys.filter((key): key is string => key !== undefined);
	if (!asked.length) return;
	const found = await links.lookup({ backend: channel.backend, senderId: channel.senderId }, asked);
	let next = 0;
	envelopes.forEach((envelope, index) => {
		const person = people[index];
		if (person) envelope.contact = linkedIdentity(person, found[next++]);
	});
}
