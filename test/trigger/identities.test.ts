/**
 * Business-scoped user IDs on the trigger (docs/cloud-api.md, "Contact identities"): a user whose phone Meta withholds
 * is a normal item, statuses name the recipient's BSUID, a BSUID change is an event, and the sender filter takes BSUIDs.
 */
import { metaContact, metaTextFrom, metaUserIdUpdateBody } from '../fakes/metaWebhook';
import type { TriggerUnderTest } from '../harness/webhook';
import { metaBody, metaHeaders, metaStatus, PHONE_NUMBER_ID, startCloudTrigger, wamid } from './fixtures';

const PHONELESS = { userId: 'DE.13491208655302741918', username: 'kerry.f', name: 'Kerry' };
const BOTH = { phone: '4915123456789', userId: 'DE.77', parentUserId: 'DE.ENT.11815799212886844830', name: 'Ada' };

async function deliver(trigger: TriggerUnderTest, body: object) {
	const raw = JSON.stringify(body);
	const call = await trigger.post(raw, metaHeaders(raw));
	expect(call.status).toBe(200);
	return (call.items ?? []).map((item) => item.json);
}

describe('Cloud API items name the person by phone, BSUID, parent BSUID and username', () => {
	let trigger: TriggerUnderTest;
	beforeAll(async () => {
		trigger = await startCloudTrigger({ events: ['message', 'status', 'identity'] });
	});
	afterAll(async () => await trigger.close());

	it('a message from a user whose phone is withheld is a normal item with userId and username', async () => {
		const [item] = await deliver(trigger, metaBody(metaTextFrom(PHONELESS, 'hi', wamid())));
		expect(item).toMatchObject({ event: 'message', userId: PHONELESS.userId, parentUserId: null, username: 'kerry.f', name: 'Kerry' });
		expect(item).not.toHaveProperty('from');
	});

	it('a message with phone and BSUID carries both, and the parent BSUID', async () => {
		const [item] = await deliver(trigger, metaBody(metaTextFrom(BOTH, 'hello', wamid())));
		expect(item).toMatchObject({ from: BOTH.phone, userId: 'DE.77', parentUserId: BOTH.parentUserId, username: null, name: 'Ada' });
	});

	it("a status names its recipient's BSUID (recipient_user_id) and, on delivered, their username", async () => {
		const status = metaStatus('delivered', wamid(), { recipient_id: undefined, recipient_user_id: PHONELESS.userId });
		const [item] = await deliver(trigger, metaBody({ statuses: [status], contacts: [metaContact(PHONELESS)] } as object));
		expect(item).toMatchObject({ event: 'status', status: 'delivered', userId: PHONELESS.userId, username: 'kerry.f' });
		expect(item).not.toHaveProperty('to');
	});

	it('user_id_update is an identity event with the new phone, the new BSUID and the retired one', async () => {
		const update = { phone: '4915199999999', previousUserId: 'DE.OLD1', userId: 'DE.NEW2' };
		const [item] = await deliver(trigger, metaUserIdUpdateBody(PHONE_NUMBER_ID, update));
		expect(item).toMatchObject({
			event: 'identity',
			from: update.phone,
			userId: 'DE.NEW2',
			identity: { update: 'userId', previousUserId: 'DE.OLD1', userId: 'DE.NEW2' },
			businessNumber: PHONE_NUMBER_ID,
		});
	});
});

describe('the sender filter takes BSUIDs', () => {
	it('lets through the messages of the BSUID named, with or without a phone, and refuses a malformed one on activation', async () => {
		const trigger = await startCloudTrigger({ filters: { senders: `${PHONELESS.userId}, +49 151 23456789` } });
		try {
			const items = await deliver(trigger, {
				...metaBody(metaTextFrom(PHONELESS, 'from the BSUID', wamid())),
			});
			expect(items.map((item) => item.text)).toEqual(['from the BSUID']);
			expect(await deliver(trigger, metaBody(metaTextFrom({ userId: 'DE.OTHER' }, 'someone else', wamid())))).toEqual([]);
		} finally {
			await trigger.close();
		}
		const malformed = await startCloudTrigger({ filters: { senders: 'DE.not-a-bsuid' } });
		try {
			await expect(malformed.activate()).rejects.toThrow(/Sender "DE.not-a-bsuid" is not a business-scoped user ID/);
		} finally {
			await malformed.close();
		}
	});
});

describe('Request Contact Info', () => {
	it('the contact card a user shares from the button gives an item with their phone beside their BSUID, and the pair is learned', async () => {
		const trigger = await startCloudTrigger({ events: ['message'] });
		try {
			const card = {
				id: wamid(),
				timestamp: '1717430400',
				type: 'contacts',
				origin: 'contact_request',
				contacts: [{ name: { formatted_name: 'Kerry' }, vcard: 'BEGIN:VCARD…', phones: [{ phone: '+49 151 2222 0000', type: 'CELL' }] }],
			};
			const [item] = await deliver(trigger, metaBody({ contacts: [metaContact(PHONELESS)], messages: [card] } as object));
			expect(item).toMatchObject({ type: 'contacts', from: '4915122220000', userId: PHONELESS.userId, contacts: [{ name: 'Kerry' }] });
			// Another card (someone else's number) is not the sender's phone.
			const other = { ...card, id: wamid(), origin: undefined };
			const [forwarded] = await deliver(trigger, metaBody({ contacts: [metaContact(PHONELESS)], messages: [other] } as object));
			expect(forwarded).not.toHaveProperty('from');
		} finally {
			await trigger.close();
		}
	});
});
