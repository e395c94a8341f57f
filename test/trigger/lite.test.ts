import { type FakeLiteContainer, startFakeLiteContainer } from '../fakes/liteContainer';
import type { TriggerUnderTest } from '../harness/webhook';
import { CUSTOMER, LITE_ACCOUNT, LITE_API_KEY, liteCredentials, liteEvent, liteHeaders, liteMessage, startLiteTrigger } from './fixtures';

let trigger: TriggerUnderTest;
beforeAll(async () => {
	trigger = await startLiteTrigger();
});
afterAll(async () => await trigger.close());

async function deliver(body: object, at?: number, target = trigger) {
	const raw = JSON.stringify(body);
	return await target.post(raw, liteHeaders(raw, at));
}

describe('Lite container events', () => {
	it('a signed text message becomes the same shape as a Cloud one', async () => {
		const data = liteMessage({ body: 'Hi from WhatsApp Web', quotedMessageId: 'true_4915123456789@c.us_PREV' });
		const event = liteEvent('message', data);
		const call = await deliver(event);
		expect(call.status).toBe(200);
		expect(call.items!.map((item) => item.json)).toEqual([
			{
				event: 'message',
				backend: 'lite',
				messageId: data.id,
				from: CUSTOMER,
				userId: null,
				parentUserId: null,
				username: null,
				name: 'Kerry',
				businessNumber: 'suit-1',
				businessDisplayNumber: LITE_ACCOUNT,
				groupId: null,
				deliveryId: event.id,
				type: 'text',
				text: 'Hi from WhatsApp Web',
				replyTo: 'true_4915123456789@c.us_PREV',
				timestamp: '2024-06-03T16:00:00.000Z',
				raw: data,
			},
		]);
	});

	it('media, voice notes, location, vCards and group messages', async () => {
		const image = liteMessage({
			type: 'image',
			body: 'caption',
			hasMedia: true,
			media: { mimetype: 'image/jpeg', data: Buffer.from('jpeg').toString('base64') },
		});
		const voice = liteMessage({ type: 'ptt', body: '', hasMedia: true, media: { mimetype: 'audio/ogg; codecs=opus' } });
		const location = liteMessage({ type: 'location', body: '', location: { latitude: 52.52, longitude: 13.4, description: 'Office' } });
		const vcard = liteMessage({
			type: 'vcard',
			body: 'BEGIN:VCARD\nVERSION:3.0\nFN:Ana Silva\nTEL;type=CELL;waid=5511999990000:+55 11 99999 0000\nEND:VCARD',
		});
		const group = liteMessage({
			from: '120363012345678901@g.us',
			chatId: '120363012345678901@g.us',
			author: '4915199999999',
			body: 'in the group',
		});
		const items = [];
		for (const data of [image, voice, location, vcard, group]) items.push((await deliver(liteEvent('message', data))).items![0].json);
		expect(items[0]).toMatchObject({ type: 'image', text: 'caption', media: { mimeType: 'image/jpeg', caption: 'caption' } });
		expect(items[0].media).not.toHaveProperty('data');
		expect(JSON.stringify(items[0].raw)).not.toContain(Buffer.from('jpeg').toString('base64'));
		expect(items[1]).toMatchObject({ type: 'audio', media: { voice: true, mimeType: 'audio/ogg; codecs=opus' } });
		expect(items[2]).toMatchObject({ type: 'location', location: { latitude: 52.52, longitude: 13.4, name: 'Office' } });
		expect(items[2]).not.toHaveProperty('text');
		expect(items[3]).toMatchObject({ type: 'contacts', contacts: [{ name: 'Ana Silva', phones: ['5511999990000'] }] });
		expect(items[4]).toMatchObject({ from: '4915199999999', groupId: '120363012345678901@g.us', text: 'in the group' });
	});

	it('acks become statuses (played counts as read), session changes come through, own messages are ignored', async () => {
		const ack = (status: string, ackNumber: number) =>
			liteEvent('message_ack', { id: 'true_4915123456789@c.us_OUT1', to: CUSTOMER, ack: ackNumber, status, timestamp: 1717430460 });
		expect((await deliver(ack('delivered', 2))).items![0].json).toMatchObject({
			event: 'status',
			messageId: 'true_4915123456789@c.us_OUT1',
			to: CUSTOMER,
			status: 'delivered',
		});
		expect((await deliver(ack('failed', -1))).items![0].json).toMatchObject({
			status: 'failed',
			errors: [{ message: expect.stringContaining('failed') }],
		});
		expect((await deliver(ack('pending', 0))).items).toBeUndefined();
		expect((await deliver(ack('read', 3))).items![0].json.status).toBe('read');
		expect((await deliver(ack('played', 4))).items).toBeUndefined();
		// A session that is not ready knows no linked account: the container leaves `account` out.
		const { account, ...loggedOut } = liteEvent('session', { state: 'disconnected', reason: 'LOGOUT' });
		expect(account).toBe(LITE_ACCOUNT);
		expect((await deliver(loggedOut)).items![0].json).toMatchObject({
			event: 'session',
			businessNumber: 'suit-1',
			businessDisplayNumber: null,
			session: { state: 'disconnected', reason: 'LOGOUT' },
		});
		expect(await deliver(liteEvent('message', liteMessage({ fromMe: true })))).toMatchObject({ status: 200, items: undefined });
		expect((await deliver(liteEvent('campaign', { campaignId: 'c1', recipient: CUSTOMER, status: 'sent' }))).items).toBeUndefined();
	});

	it('Business Numbers matches the linked account as people dial it, or the suit ID', async () => {
		for (const [businessNumbers, passes] of [
			['+1 555 010 0001', true],
			['suit-1', true],
			['+1 555 010 0009, other-suit', false],
		] as const) {
			const filtered = await startLiteTrigger({ filters: { businessNumbers } });
			try {
				const call = await deliver(liteEvent('message', liteMessage()), undefined, filtered);
				expect([businessNumbers, call.items?.length ?? 0]).toEqual([businessNumbers, passes ? 1 : 0]);
			} finally {
				await filtered.close();
			}
		}
	});

	it('a redelivered event (same event ID, fresh signature) starts nothing', async () => {
		const event = liteEvent('session', { state: 'qr' });
		expect((await deliver(event)).items).toHaveLength(1);
		expect(await deliver(event)).toMatchObject({ status: 200, items: undefined });
	});
});

describe('Lite signatures', () => {
	const now = () => Math.floor(Date.now() / 1000);

	it('refuses unsigned, wrongly signed, replayed and skewed events', async () => {
		const raw = JSON.stringify(liteEvent('message', liteMessage()));
		expect((await trigger.post(raw)).status).toBe(401);
		expect((await trigger.post(raw, liteHeaders(raw, now(), 'other-secret'))).status).toBe(401);
		const replay = await trigger.post(raw, liteHeaders(raw, now() - 6 * 60));
		expect(replay).toMatchObject({ status: 401, items: undefined });
		expect(JSON.parse(replay.body).error).toMatch(/replayed or clock skew/);
		expect((await trigger.post(raw, liteHeaders(raw, now() + 6 * 60))).status).toBe(401);
		expect((await trigger.post(raw, liteHeaders(raw, now() - 4 * 60))).items).toHaveLength(1);
	});

	it('malformed bodies are 400', async () => {
		for (const raw of ['{"event":', JSON.stringify({ event: 'message' }), JSON.stringify([1, 2])]) {
			expect(await trigger.post(raw, liteHeaders(raw))).toMatchObject({ status: 400, items: undefined });
		}
	});

	it('answers a GET with 405', async () => {
		expect((await trigger.get({ 'hub.challenge': 'x' })).status).toBe(405);
	});
});

describe('Lite registration (webhookMethods) against the container', () => {
	let container: FakeLiteContainer;
	beforeAll(async () => {
		container = await startFakeLiteContainer(LITE_API_KEY);
	});
	afterAll(async () => await container.close());

	it('creates the webhook with the chosen events, finds it again, updates changed events and deletes it', async () => {
		const lite = await startLiteTrigger({ events: ['message', 'status'] }, { whatsAppLiteApi: liteCredentials({ url: container.url }) });
		try {
			expect(await lite.activate()).toEqual({ existed: false });
			const [registered] = [...container.webhooks.values()];
			expect(registered).toMatchObject({ url: lite.url, events: ['message', 'message_ack'] });
			expect(lite.staticData['node:WhatsApp Trigger']).toEqual({ liteWebhookId: registered.id });
			expect(container.requests.at(-1)?.headers.appapikey).toBe(LITE_API_KEY);

			expect(await lite.activate()).toEqual({ existed: true });
			expect(container.webhooks.size).toBe(1);

			lite.node.parameters.events = ['message', 'session'];
			expect(await lite.activate()).toEqual({ existed: false });
			// Acks update campaign reports unless that option is off; only the chosen events start the workflow.
			expect([...container.webhooks.values()]).toEqual([
				expect.objectContaining({ id: registered.id, events: ['message', 'message_ack', 'session'] }),
			]);
			lite.node.parameters.triggerOptions = { updateCampaignReports: false };
			expect(await lite.activate()).toEqual({ existed: false });
			expect([...container.webhooks.values()]).toEqual([expect.objectContaining({ id: registered.id, events: ['message', 'session'] })]);

			expect(await lite.deactivate()).toBe(true);
			expect(container.webhooks.size).toBe(0);
			expect(lite.staticData['node:WhatsApp Trigger']).toEqual({});
			expect(await lite.deactivate()).toBe(true);
		} finally {
			await lite.close();
		}
	});

	it("Campaign Progress and Campaign Finished register the container's `campaign` event once", async () => {
		const lite = await startLiteTrigger(
			{ events: ['campaign', 'campaignFinished', 'message'], triggerOptions: { updateCampaignReports: false } },
			{ whatsAppLiteApi: liteCredentials({ url: container.url }) },
		);
		try {
			await lite.activate();
			expect([...container.webhooks.values()]).toEqual([expect.objectContaining({ url: lite.url, events: ['campaign', 'message'] })]);
			await lite.deactivate();
		} finally {
			await lite.close();
		}
	});

	it('refuses to activate without a signing secret, or with only Cloud events', async () => {
		const unsigned = await startLiteTrigger({}, { whatsAppLiteApi: liteCredentials({ url: container.url, webhookSecret: '' }) });
		const cloudOnly = await startLiteTrigger({ events: ['error'] }, { whatsAppLiteApi: liteCredentials({ url: container.url }) });
		try {
			await expect(unsigned.activate()).rejects.toThrow(/Webhook Signing Secret "" is empty/);
			await expect(cloudOnly.activate()).rejects.toThrow(/Trigger On .* has nothing a Lite container sends/);
			expect(container.webhooks.size).toBe(0);
		} finally {
			await unsigned.close();
			await cloudOnly.close();
		}
	});
});
