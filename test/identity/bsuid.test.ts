/**
 * One person, whether a webhook or a segment names them by phone, by business-scoped user ID (BSUID) or both
 * (docs/cloud-api.md, "Contact identities"), through n8n's engine: the WhatsApp Trigger (Record Opt-Outs) learns
 * pairs into Redis, WhatsApp Send reaches a phone-less user by BSUID, and opt-outs, once per recipient and campaign
 * reports hold across the two keys. A changed number gives a new BSUID without joining two people.
 */
import { closeProcessStateStores } from '../../nodes/whatsapp/n8n/store';
import { metaTextFrom, metaUserIdUpdateBody } from '../fakes/metaWebhook';
import type { TriggerUnderTest } from '../harness/webhook';
import { messageBodies } from '../send/fixtures';
import { useSegmentRun } from '../segment/run';
import { APP_SECRET, metaBody, metaHeaders, PHONE_NUMBER_ID, startCloudTrigger, wamid } from '../trigger/fixtures';

const { backends, redis, keyPrefix, sendSegment } = useSegmentRun();
afterAll(async () => await closeProcessStateStores());

/** Kerry adopted a username: Meta withholds her phone. Her phone, once she shares it, and someone else's. */
const KERRY = { userId: 'DE.13491208655302741918', username: 'kerry.f', name: 'Kerry' };
const KERRY_PHONE = '4915122220000';
const OTHER_PHONE = '4915133330000';

let trigger: TriggerUnderTest;
beforeEach(async () => {
	const { hostname, port } = new URL(redis().url);
	trigger = await startCloudTrigger(
		{ events: ['message', 'status', 'identity'], triggerOptions: { recordOptOuts: true } },
		{ whatsAppRedis: { host: hostname, port: Number(port), password: '', database: 0, tls: false, keyPrefix: keyPrefix() } },
	);
});
afterEach(async () => await trigger.close());

/** Delivers a signed Cloud webhook body; the trigger's items. */
async function deliver(body: object) {
	const raw = JSON.stringify(body);
	const call = await trigger.post(raw, metaHeaders(raw));
	expect(call.status).toBe(200);
	return (call.items ?? []).map((item) => item.json);
}

const writes = async (person: Parameters<typeof metaTextFrom>[0], text: string) =>
	(await deliver(metaBody(metaTextFrom(person, text, wamid()))))[0];

/** A segment of Cloud sends, one per address (phone or BSUID); each item's status. */
async function segment(campaignId: string, addresses: string[]) {
	const run = await sendSegment(
		{ backend: 'cloud', recipient: '={{ $json.to }}', text: 'Spring sale', delivery: { campaignId } },
		addresses.map((to) => ({ json: { to } })),
	);
	return run.items;
}

/** Who the fake Graph API was asked to send to (`to`, or `recipient` for a send to a BSUID alone), in no particular order. */
const addressed = () =>
	messageBodies(backends().graph)
		.map((body) => (body as { to?: string; recipient?: string }).to ?? (body as { recipient: string }).recipient)
		.sort();

it('a phone-less user says hi and the keyword auto-reply reaches them by BSUID', async () => {
	const hi = await writes(KERRY, 'hi');
	expect(hi).toMatchObject({ event: 'message', userId: KERRY.userId, username: 'kerry.f', text: 'hi' });
	expect(hi).not.toHaveProperty('from');
	// The auto-reply workflow: Recipient {{ $json.from || $json.userId }} from the trigger's item.
	const reply = await sendSegment({ backend: 'cloud', recipient: '={{ $json.from || $json.userId }}', text: 'Hello! How can we help?' }, [
		{ json: hi },
	]);
	expect(reply.items[0]).toMatchObject({ to: KERRY.userId, sentTo: 'userId', waId: KERRY.userId, status: 'accepted' });
	expect(messageBodies(backends().graph)[0]).toMatchObject({ recipient: KERRY.userId, text: { body: 'Hello! How can we help?' } });
	expect(messageBodies(backends().graph)[0]).not.toHaveProperty('to');
});

it('STOP by a phone-less user is honoured by BSUID, and by phone once the pair is learned', async () => {
	expect((await writes(KERRY, 'STOP')).optOut).toMatchObject({ action: 'opted_out', keyword: 'STOP' });

	const byBsuid = await segment('spring', [KERRY.userId, OTHER_PHONE]);
	expect(byBsuid.map((item) => item.status)).toEqual(['skipped', 'accepted']);
	expect(byBsuid[0]).toMatchObject({ to: KERRY.userId, reason: expect.stringMatching(/^opted out on/) });

	// Before the pair is known, her phone is nobody Meta has linked to her: it is sent.
	expect((await segment('summer', [KERRY_PHONE])).map((item) => item.status)).toEqual(['accepted']);
	// She writes with her phone shared (the contact book, or a Request Contact Info reply): the pair is learned.
	await writes({ ...KERRY, phone: KERRY_PHONE }, 'my number is shared now');
	const byPhone = await segment('autumn', [KERRY_PHONE, OTHER_PHONE]);
	expect(byPhone.map((item) => item.status)).toEqual(['skipped', 'accepted']);
	expect(addressed()).toEqual([OTHER_PHONE, KERRY_PHONE, OTHER_PHONE].sort());
});

it('the same person by phone and by BSUID in one segment gets one message', async () => {
	await writes({ ...KERRY, phone: KERRY_PHONE }, 'hello');
	const items = await segment('winter', [KERRY.userId, KERRY_PHONE, OTHER_PHONE]);
	expect(items.map((item) => item.status)).toEqual(['accepted', 'skipped', 'accepted']);
	expect(items[1].reason).toMatch(/another send of this campaign holds this recipient|already sent in this campaign/);
	expect(addressed()).toEqual([KERRY.userId, OTHER_PHONE].sort());
	// A second run of the campaign naming her by phone only: already sent to her.
	expect((await segment('winter', [KERRY_PHONE])).map((item) => item.status)).toEqual(['skipped']);
});

it('a campaign that reached a person by BSUID does not reach them again by phone once the pair is learned', async () => {
	expect((await segment('resume', [KERRY.userId])).map((item) => item.status)).toEqual(['accepted']);
	await writes({ ...KERRY, phone: KERRY_PHONE }, 'my number is shared now');
	// The same campaign run again (a resumed segment) names her by phone: she already got it under her BSUID.
	const again = await segment('resume', [KERRY_PHONE, OTHER_PHONE]);
	expect(again.map((item) => item.status)).toEqual(['skipped', 'accepted']);
	expect(again[0].reason).toMatch(/^already sent in this campaign/);
	expect(addressed()).toEqual([KERRY.userId, OTHER_PHONE].sort());
});

it("a campaign report counts a BSUID recipient's delivered and read statuses on their row", async () => {
	const sent = await segment('report', [KERRY.userId, OTHER_PHONE]);
	expect(sent.map((item) => item.status)).toEqual(['accepted', 'accepted']);
	const [toKerry, toOther] = backends().graph.accepted;
	expect(await backends().graph.sendStatuses(trigger.url, APP_SECRET, [{ id: toKerry.id, status: 'delivered' }])).toBe(200);
	expect(
		await backends().graph.sendStatuses(trigger.url, APP_SECRET, [
			{ id: toKerry.id, status: 'read' },
			{ id: toOther.id, status: 'delivered' },
		]),
	).toBe(200);
	// Her reply without a quote counts for the last campaign message to her BSUID.
	await writes(KERRY, 'Thanks!');
	const report = await sendSegment(
		{ backend: 'cloud', resource: 'campaign', operation: 'get', campaignId: 'report', campaignOutput: 'recipients', returnAll: true },
		[{ json: {} }],
	);
	expect(report.items.map(({ recipient, state, replied }) => ({ recipient, state, replied }))).toEqual([
		{ recipient: OTHER_PHONE, state: 'delivered', replied: false },
		{ recipient: KERRY.userId, state: 'read', replied: true },
	]);
});

it('a number change (user_id_update) links the new phone to the new BSUID and never joins the old phone to them', async () => {
	const NEW_PHONE = '4915144440000';
	const NEW_BSUID = 'DE.99887766554433221100';
	await writes({ ...KERRY, phone: KERRY_PHONE }, 'hello');
	const [update] = await deliver(
		metaUserIdUpdateBody(PHONE_NUMBER_ID, { phone: NEW_PHONE, previousUserId: KERRY.userId, userId: NEW_BSUID }),
	);
	expect(update).toMatchObject({ event: 'identity', from: NEW_PHONE, userId: NEW_BSUID, identity: { previousUserId: KERRY.userId } });

	// New phone and new BSUID are one person; the old phone (maybe someone else's now) is its own.
	const items = await segment('after-change', [NEW_BSUID, NEW_PHONE, KERRY_PHONE]);
	expect(items.map((item) => item.status)).toEqual(['accepted', 'skipped', 'accepted']);
	expect(addressed()).toEqual([NEW_BSUID, KERRY_PHONE].sort());
	// The retired BSUID is nobody's pair any more: naming it and the old phone are two sends.
	const retired = await segment('retired', [KERRY.userId, KERRY_PHONE]);
	expect(retired.map((item) => item.status)).toEqual(['accepted', 'accepted']);
});

it('a malformed BSUID in a segment is refused per item with the field, the value and the fix; the rest is sent', async () => {
	const items = await segment('typos', ['DE.1349-1208', OTHER_PHONE]);
	expect(items[0]).toMatchObject({
		to: 'DE.1349-1208',
		status: 'failed',
		error: { kind: 'validation', field: 'Recipient', fix: expect.stringContaining('US.13491208655302741918') },
	});
	expect(items[1]).toMatchObject({ status: 'accepted' });
	expect(addressed()).toEqual([OTHER_PHONE].sort());
});
