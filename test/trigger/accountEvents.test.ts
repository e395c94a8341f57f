import type { TriggerUnderTest } from '../harness/webhook';
import {
	CUSTOMER,
	LITE_ACCOUNT,
	liteEvent,
	liteHeaders,
	metaBody,
	metaFieldBody,
	metaHeaders,
	metaMessage,
	startCloudTrigger,
	startLiteTrigger,
	WABA_ID,
} from './fixtures';

/** Payloads as Meta documents them (docs/cloud-webhooks.md): the `value` of each change field. */
const TEMPLATE = { message_template_id: 594425479261596, message_template_name: 'order_confirmation', message_template_language: 'en_US' };

async function itemsOf(trigger: TriggerUnderTest, body: object, sign: (raw: string) => Record<string, string>) {
	const raw = JSON.stringify(body);
	const call = await trigger.post(raw, sign(raw));
	expect(call.status).toBe(200);
	return (call.items ?? []).map((item) => item.json);
}

describe('Cloud API: template status, quality and category updates', () => {
	let trigger: TriggerUnderTest;
	beforeAll(async () => {
		trigger = await startCloudTrigger({ events: ['template'], filters: { businessNumbers: '106540352242922' } });
	});
	afterAll(async () => await trigger.close());
	const deliver = (field: string, value: Record<string, unknown>) => itemsOf(trigger, metaFieldBody(field, value), metaHeaders);

	it.each([
		['approved', { event: 'APPROVED', reason: 'NONE', message_template_category: 'UTILITY' }, { status: 'APPROVED' }],
		['rejected, with the reason', { event: 'REJECTED', reason: 'INVALID_FORMAT' }, { status: 'REJECTED', reason: 'INVALID_FORMAT' }],
		[
			"paused, with the pause's title and description",
			{
				event: 'PAUSED',
				reason: null,
				other_info: { title: 'FIRST_PAUSE', description: 'Your template has been paused for 3 hours because it had issues.' },
			},
			{ status: 'PAUSED', reason: 'FIRST_PAUSE: Your template has been paused for 3 hours because it had issues.' },
		],
		['disabled', { event: 'DISABLED', reason: null, disable_info: { disable_date: 1717430400 } }, { status: 'DISABLED' }],
		['flagged', { event: 'FLAGGED', reason: 'NONE', disable_info: { disable_date: 1717430400 } }, { status: 'FLAGGED' }],
		['reinstated', { event: 'REINSTATED', reason: 'NONE' }, { status: 'REINSTATED' }],
		['pending deletion', { event: 'PENDING_DELETION', reason: 'NONE' }, { status: 'PENDING_DELETION' }],
	])('message_template_status_update: %s', async (_name, value, expected) => {
		const raw = { ...TEMPLATE, ...value };
		expect(await deliver('message_template_status_update', raw)).toEqual([
			{
				event: 'template',
				backend: 'cloud',
				businessNumber: WABA_ID,
				businessDisplayNumber: null,
				groupId: null,
				deliveryId: null,
				template: { update: 'status', id: '594425479261596', name: 'order_confirmation', language: 'en_US', ...expected },
				raw,
			},
		]);
	});

	it('message_template_quality_update: new and previous quality', async () => {
		const raw = { ...TEMPLATE, previous_quality_score: 'GREEN', new_quality_score: 'YELLOW' };
		expect(await deliver('message_template_quality_update', raw)).toEqual([
			expect.objectContaining({
				event: 'template',
				template: {
					update: 'quality',
					id: '594425479261596',
					name: 'order_confirmation',
					language: 'en_US',
					quality: 'YELLOW',
					previousQuality: 'GREEN',
				},
			}),
		]);
	});

	it('template_category_update: the category changed, or Meta announces the correct one', async () => {
		const changed = await deliver('template_category_update', { ...TEMPLATE, previous_category: 'UTILITY', new_category: 'MARKETING' });
		expect(changed[0].template).toEqual({
			update: 'category',
			id: '594425479261596',
			name: 'order_confirmation',
			language: 'en_US',
			category: 'MARKETING',
			previousCategory: 'UTILITY',
		});
		const announced = await deliver('template_category_update', {
			...TEMPLATE,
			message_template_id: 1,
			previous_category: 'UTILITY',
			correct_category: 'MARKETING',
		});
		expect(announced[0].template).toMatchObject({ update: 'category', previousCategory: 'UTILITY', correctCategory: 'MARKETING' });
	});

	it('the same update delivered again starts nothing (de-duplicated by content); messages are not chosen here', async () => {
		const body = metaFieldBody('message_template_status_update', {
			...TEMPLATE,
			message_template_id: 77,
			event: 'APPROVED',
			reason: 'NONE',
		});
		expect(await itemsOf(trigger, body, metaHeaders)).toHaveLength(1);
		expect(await itemsOf(trigger, body, metaHeaders)).toEqual([]);
		expect(await itemsOf(trigger, metaBody({ messages: [metaMessage('text', { text: { body: 'hi' } })] }), metaHeaders)).toEqual([]);
	});
});

describe('Cloud API: account and phone number quality updates', () => {
	let trigger: TriggerUnderTest;
	beforeAll(async () => {
		trigger = await startCloudTrigger({ events: ['account'] });
	});
	afterAll(async () => await trigger.close());
	const deliver = (field: string, value: Record<string, unknown>) => itemsOf(trigger, metaFieldBody(field, value), metaHeaders);

	it.each([
		['verified', { phone_number: '15550783881', event: 'VERIFIED_ACCOUNT' }, { event: 'VERIFIED_ACCOUNT', phoneNumber: '15550783881' }],
		[
			'violation',
			{ phone_number: '15550783881', event: 'ACCOUNT_VIOLATION', violation_info: { violation_type: 'SCAM' } },
			{ event: 'ACCOUNT_VIOLATION', phoneNumber: '15550783881', reason: 'SCAM' },
		],
		[
			'restriction',
			{
				phone_number: '15550783881',
				event: 'ACCOUNT_RESTRICTION',
				restriction_info: [{ restriction_type: 'RESTRICTED_ADD_PHONE_NUMBER_ACTION', expiration: 1717430400 }],
			},
			{ event: 'ACCOUNT_RESTRICTION', phoneNumber: '15550783881', reason: 'RESTRICTED_ADD_PHONE_NUMBER_ACTION' },
		],
		[
			'disabled',
			{ event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: ['DISABLE'], waba_ban_date: '2024-06-03' } },
			{ event: 'DISABLED_UPDATE' },
		],
	])('account_update: %s', async (_name, raw, account) => {
		const [item] = await deliver('account_update', raw);
		expect(item).toEqual(
			expect.objectContaining({
				event: 'account',
				backend: 'cloud',
				businessNumber: WABA_ID,
				account: { update: 'account', ...account },
				raw,
			}),
		);
	});

	it.each([
		['flagged', { event: 'FLAGGED', current_limit: 'TIER_10K' }, { event: 'FLAGGED', messagingLimit: 'TIER_10K' }],
		['unflagged', { event: 'UNFLAGGED', current_limit: 'TIER_10K' }, { event: 'UNFLAGGED', messagingLimit: 'TIER_10K' }],
		[
			'upgrade',
			{ event: 'UPGRADE', current_limit: 'TIER_100K', old_limit: 'TIER_10K' },
			{ event: 'UPGRADE', messagingLimit: 'TIER_100K', previousMessagingLimit: 'TIER_10K' },
		],
		[
			'downgrade',
			{ event: 'DOWNGRADE', current_limit: 'TIER_1K', old_limit: 'TIER_10K' },
			{ event: 'DOWNGRADE', messagingLimit: 'TIER_1K', previousMessagingLimit: 'TIER_10K' },
		],
	])('phone_number_quality_update: %s', async (_name, value, account) => {
		const raw = { display_phone_number: '15550783881', ...value };
		expect(await deliver('phone_number_quality_update', raw)).toEqual([
			{
				event: 'account',
				backend: 'cloud',
				businessNumber: WABA_ID,
				businessDisplayNumber: '15550783881',
				groupId: null,
				deliveryId: null,
				account: { update: 'quality', phoneNumber: '15550783881', ...account },
				raw,
			},
		]);
	});

	it('a template update or a change of an unknown field starts nothing here', async () => {
		expect(await deliver('message_template_status_update', { ...TEMPLATE, event: 'APPROVED' })).toEqual([]);
		expect(await deliver('business_capability_update', { max_daily_conversation_per_phone: 1000 })).toEqual([]);
	});

	it('an update whose value is not an object is a 400 naming where', async () => {
		const raw = JSON.stringify({
			object: 'whatsapp_business_account',
			entry: [{ id: WABA_ID, changes: [{ field: 'account_update', value: 'x' }] }],
		});
		const call = await trigger.post(raw, metaHeaders(raw));
		expect(call).toMatchObject({ status: 400, items: undefined });
		expect(JSON.parse(call.body).error).toBe('Unexpected webhook payload: entry[0].changes[0].value is not an object');
	});
});

describe('Lite: campaign progress (gateway `campaign` events)', () => {
	let trigger: TriggerUnderTest;
	beforeAll(async () => {
		trigger = await startLiteTrigger({ events: ['campaign', 'campaignFinished'] });
	});
	afterAll(async () => await trigger.close());
	const deliver = (data: Record<string, unknown>) => itemsOf(trigger, liteEvent('campaign', data), (raw) => liteHeaders(raw));

	it.each([
		['sent', { messageId: 'true_4915123456789@c.us_3EB0AA' }, { messageId: 'true_4915123456789@c.us_3EB0AA' }],
		['failed', { reason: 'not on WhatsApp' }, {}],
		['skipped', { reason: 'campaign cancelled' }, {}],
		['unknown', { reason: 'the gateway stopped while sending: may have been sent' }, {}],
	])('one recipient %s', async (status, extra, top) => {
		const data = { campaignId: 'summer-sale', recipient: CUSTOMER, userID: 'crm-42', status, ...extra };
		const [item] = await deliver(data);
		expect(item).toEqual({
			event: 'campaign',
			backend: 'lite',
			to: CUSTOMER,
			businessNumber: 'suit-1',
			businessDisplayNumber: LITE_ACCOUNT,
			groupId: null,
			deliveryId: expect.stringMatching(/^evt_/),
			status,
			campaign: { id: 'summer-sale', userID: 'crm-42', ...('reason' in extra && { reason: extra.reason }) },
			timestamp: expect.any(String),
			raw: data,
			...top,
		});
	});

	it('the campaign finished, with its counts', async () => {
		const counts = { queued: 0, sending: 0, sent: 280, failed: 12, skipped: 8, unknown: 0 };
		const [item] = await deliver({ campaignId: 'summer-sale', status: 'finished', counts });
		expect(item).toMatchObject({ event: 'campaignFinished', status: 'finished', campaign: { id: 'summer-sale', counts } });
		expect(item.to).toBeUndefined();
	});

	it('only the chosen kind starts the workflow', async () => {
		const progressOnly = await startLiteTrigger({ events: ['campaign'] });
		try {
			const finished = liteEvent('campaign', { campaignId: 'c2', status: 'finished', counts: { sent: 1 } });
			expect(await itemsOf(progressOnly, finished, (raw) => liteHeaders(raw))).toEqual([]);
			const sent = liteEvent('campaign', { campaignId: 'c2', recipient: CUSTOMER, status: 'sent' });
			expect(await itemsOf(progressOnly, sent, (raw) => liteHeaders(raw))).toHaveLength(1);
		} finally {
			await progressOnly.close();
		}
	});
});
