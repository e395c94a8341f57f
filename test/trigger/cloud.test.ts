import type { TriggerUnderTest } from '../harness/webhook';
import {
	CUSTOMER,
	metaBody,
	metaHeaders,
	metaMessage,
	metaStatus,
	PHONE_NUMBER_ID,
	startCloudTrigger,
	VERIFY_TOKEN,
	wamid,
} from './fixtures';

let trigger: TriggerUnderTest;
beforeAll(async () => {
	trigger = await startCloudTrigger();
});
afterAll(async () => await trigger.close());

/** Posts a body signed like Meta does and returns the call. */
async function deliver(body: object, target = trigger) {
	const raw = JSON.stringify(body);
	return await target.post(raw, metaHeaders(raw));
}

async function onlyItem(body: object) {
	const call = await deliver(body);
	expect(call.status).toBe(200);
	expect(call.items).toHaveLength(1);
	return call.items![0].json;
}

describe('Cloud API: every incoming message type becomes one normalised item', () => {
	it('text, with sender name, business number and ISO time', async () => {
		const message = metaMessage('text', { text: { body: 'Hello there' } });
		expect(await onlyItem(metaBody({ messages: [message] }))).toEqual({
			event: 'message',
			backend: 'cloud',
			messageId: message.id,
			from: CUSTOMER,
			userId: null,
			parentUserId: null,
			username: null,
			name: 'Kerry Fisher',
			businessNumber: PHONE_NUMBER_ID,
			businessDisplayNumber: '15550100000',
			groupId: null,
			deliveryId: null,
			type: 'text',
			text: 'Hello there',
			timestamp: '2024-06-03T16:00:00.000Z',
			raw: message,
		});
	});

	it.each([
		[
			'image',
			{ mime_type: 'image/jpeg', sha256: 'aGFzaA==', id: '1001', caption: 'Look' },
			{ id: '1001', mimeType: 'image/jpeg', sha256: 'aGFzaA==', caption: 'Look' },
		],
		['video', { mime_type: 'video/mp4', sha256: 'dg==', id: '1002' }, { id: '1002', mimeType: 'video/mp4', sha256: 'dg==' }],
		[
			'audio',
			{ mime_type: 'audio/ogg; codecs=opus', sha256: 'YQ==', id: '1003', voice: true },
			{ id: '1003', mimeType: 'audio/ogg; codecs=opus', sha256: 'YQ==', voice: true },
		],
		[
			'document',
			{ mime_type: 'application/pdf', sha256: 'ZA==', id: '1004', filename: 'invoice.pdf', caption: 'Invoice' },
			{ id: '1004', mimeType: 'application/pdf', sha256: 'ZA==', filename: 'invoice.pdf', caption: 'Invoice' },
		],
		[
			'sticker',
			{ mime_type: 'image/webp', sha256: 'cw==', id: '1005', animated: false },
			{ id: '1005', mimeType: 'image/webp', sha256: 'cw==' },
		],
	])('%s', async (type, part, media) => {
		const json = await onlyItem(metaBody({ messages: [metaMessage(type, { [type]: part })] }));
		expect(json).toMatchObject({ type, media });
		expect(json.text).toBe((media as { caption?: string }).caption);
	});

	it('location', async () => {
		const json = await onlyItem(
			metaBody({
				messages: [
					metaMessage('location', {
						location: { latitude: 52.52, longitude: 13.405, name: 'Brandenburger Tor', address: 'Pariser Platz' },
					}),
				],
			}),
		);
		expect(json).toMatchObject({
			type: 'location',
			location: { latitude: 52.52, longitude: 13.405, name: 'Brandenburger Tor', address: 'Pariser Platz' },
		});
	});

	it('contacts', async () => {
		const contacts = [
			{
				name: { formatted_name: 'Ana Silva', first_name: 'Ana' },
				phones: [
					{ phone: '+55 11 99999 0000', type: 'CELL', wa_id: '5511999990000' },
					{ phone: '+55 11 3333 0000', type: 'WORK' },
				],
			},
		];
		const json = await onlyItem(metaBody({ messages: [metaMessage('contacts', { contacts })] }));
		expect(json).toMatchObject({ type: 'contacts', contacts: [{ name: 'Ana Silva', phones: ['5511999990000', '+55 11 3333 0000'] }] });
	});

	it('interactive button_reply and list_reply, with the replied-to message', async () => {
		const context = { from: '15550100000', id: wamid() };
		const button = await onlyItem(
			metaBody({
				messages: [
					metaMessage('interactive', { interactive: { type: 'button_reply', button_reply: { id: 'yes-1', title: 'Yes' } }, context }),
				],
			}),
		);
		expect(button).toMatchObject({
			type: 'interactive',
			interactive: { kind: 'button_reply', id: 'yes-1', title: 'Yes' },
			text: 'Yes',
			replyTo: context.id,
		});
		const list = await onlyItem(
			metaBody({
				messages: [
					metaMessage('interactive', {
						interactive: { type: 'list_reply', list_reply: { id: 'row-2', title: 'Tuesday', description: '10:00' } },
						context,
					}),
				],
			}),
		);
		expect(list).toMatchObject({
			interactive: { kind: 'list_reply', id: 'row-2', title: 'Tuesday', description: '10:00' },
			text: 'Tuesday',
			replyTo: context.id,
		});
	});

	it('template quick reply (`button`)', async () => {
		const json = await onlyItem(
			metaBody({
				messages: [
					metaMessage('button', {
						button: { payload: 'STOP_PROMOS', text: 'Stop promotions' },
						context: { from: '15550100000', id: 'wamid.TEMPLATE' },
					}),
				],
			}),
		);
		expect(json).toMatchObject({
			type: 'interactive',
			interactive: { kind: 'quick_reply', id: 'STOP_PROMOS', title: 'Stop promotions' },
			replyTo: 'wamid.TEMPLATE',
		});
	});

	it('reaction, and a text reply with context', async () => {
		const reaction = await onlyItem(
			metaBody({ messages: [metaMessage('reaction', { reaction: { message_id: 'wamid.SENT', emoji: '👍' } })] }),
		);
		expect(reaction).toMatchObject({ type: 'reaction', reaction: { messageId: 'wamid.SENT', emoji: '👍' } });
		const reply = await onlyItem(
			metaBody({ messages: [metaMessage('text', { text: { body: 'as I said' }, context: { from: '15550100000', id: 'wamid.EARLIER' } })] }),
		);
		expect(reply).toMatchObject({ text: 'as I said', replyTo: 'wamid.EARLIER' });
	});

	it('an unsupported message keeps its errors', async () => {
		const errors = [
			{
				code: 131051,
				title: 'Message type unknown',
				message: 'Message type unknown',
				error_data: { details: 'Message type is currently not supported.' },
			},
		];
		const json = await onlyItem(metaBody({ messages: [metaMessage('unsupported', { errors })] }));
		expect(json).toMatchObject({
			type: 'unsupported',
			errors: [{ code: 131051, title: 'Message type unknown', details: 'Message type is currently not supported.' }],
		});
	});
});

describe('Cloud API: statuses and errors', () => {
	it.each(['sent', 'delivered', 'read'])('%s', async (status) => {
		const raw = metaStatus(status);
		expect(await onlyItem(metaBody({ statuses: [raw] }))).toEqual({
			event: 'status',
			backend: 'cloud',
			messageId: raw.id,
			to: CUSTOMER,
			userId: null,
			parentUserId: null,
			username: null,
			businessNumber: PHONE_NUMBER_ID,
			businessDisplayNumber: '15550100000',
			groupId: null,
			deliveryId: null,
			status,
			timestamp: '2024-06-03T16:01:00.000Z',
			raw,
		});
	});

	it('failed, with the error details', async () => {
		const errors = [
			{
				code: 131047,
				title: 'Re-engagement message',
				message: 'Re-engagement message',
				error_data: { details: 'More than 24 hours have passed since the recipient last replied.' },
			},
		];
		expect(await onlyItem(metaBody({ statuses: [metaStatus('failed', wamid(), { errors })] }))).toMatchObject({
			status: 'failed',
			errors: [
				{
					code: 131047,
					title: 'Re-engagement message',
					message: 'Re-engagement message',
					details: 'More than 24 hours have passed since the recipient last replied.',
				},
			],
		});
	});

	it('a change-level error', async () => {
		const json = await onlyItem(
			metaBody({ errors: [{ code: 130472, title: "User's number is part of an experiment", message: 'experiment' }] }),
		);
		expect(json).toMatchObject({ event: 'error', errors: [{ code: 130472, title: "User's number is part of an experiment" }] });
	});

	it('one POST with several entries, changes, messages and statuses gives one item each, in order', async () => {
		const first = metaBody({
			messages: [metaMessage('text', { text: { body: 'one' } }), metaMessage('text', { text: { body: 'two' } })],
			statuses: [metaStatus('delivered')],
		});
		const second = metaBody({ statuses: [metaStatus('read'), metaStatus('sent')] }, '999000111');
		const body = {
			object: 'whatsapp_business_account',
			entry: [
				{
					...first.entry[0],
					changes: [...first.entry[0].changes, { field: 'message_template_status_update', value: { event: 'APPROVED' } }],
				},
				second.entry[0],
			],
		};
		const call = await deliver(body);
		expect(call.items!.map((item) => [item.json.event, item.json.text ?? item.json.status, item.json.businessNumber])).toEqual([
			['message', 'one', PHONE_NUMBER_ID],
			['message', 'two', PHONE_NUMBER_ID],
			['status', 'delivered', PHONE_NUMBER_ID],
			['status', 'read', '999000111'],
			['status', 'sent', '999000111'],
		]);
	});
});

describe('Cloud API: signatures', () => {
	const body = () => JSON.stringify(metaBody({ messages: [metaMessage('text', { text: { body: 'signed?' } })] }), null, 2);

	it('a valid signature over the raw bytes starts the workflow', async () => {
		const raw = body();
		expect((await trigger.post(raw, metaHeaders(raw))).items).toHaveLength(1);
	});

	it('missing, wrong-secret and malformed signatures are 401 and start nothing', async () => {
		const raw = body();
		for (const headers of [{}, metaHeaders(raw, 'another-secret'), { 'x-hub-signature-256': 'sha1=abc' }]) {
			const call = await trigger.post(raw, headers);
			expect(call).toMatchObject({ status: 401, items: undefined });
			expect(call.body).not.toContain('meta-app-secret');
		}
	});

	it('a signature over the re-serialised JSON does not match the bytes Meta sent', async () => {
		const raw = body();
		const call = await trigger.post(raw, metaHeaders(JSON.stringify(JSON.parse(raw))));
		expect(call).toMatchObject({ status: 401, items: undefined });
		expect(JSON.parse(call.body).error).toMatch(/does not match/);
	});

	it('switched off explicitly, unsigned requests pass', async () => {
		const open = await startCloudTrigger({ verifySignatures: false });
		try {
			expect((await open.post(body())).items).toHaveLength(1);
		} finally {
			await open.close();
		}
	});
});

describe('Cloud API: verification handshake and malformed bodies', () => {
	it('answers the challenge as plain text for the right token, 403 for a wrong one', async () => {
		const ok = await trigger.get({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' });
		expect(ok).toMatchObject({ status: 200, body: '1158201444', items: undefined });
		const wrong = await trigger.get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1158201444' });
		expect(wrong.status).toBe(403);
		expect(wrong.body).not.toContain('1158201444');
		expect((await trigger.get({ 'hub.challenge': '1' })).status).toBe(400);
	});

	it.each([
		['not JSON', '{"object":"whatsapp_business_account",'],
		['another object', JSON.stringify({ object: 'page', entry: [] })],
		['entry not a list', JSON.stringify({ object: 'whatsapp_business_account', entry: { id: 1 } })],
		[
			'messages not a list',
			JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messages: 'hi' } }] }] }),
		],
		['a JSON string', '"hello"'],
	])('%s: 400, nothing starts', async (_name, raw) => {
		expect(await trigger.post(raw, metaHeaders(raw))).toMatchObject({ status: 400, items: undefined });
	});

	it('a valid body with nothing for the trigger is 200 and starts nothing', async () => {
		const raw = JSON.stringify({
			object: 'whatsapp_business_account',
			entry: [{ id: '1', changes: [{ field: 'account_update', value: {} }] }],
		});
		expect(await trigger.post(raw, metaHeaders(raw))).toMatchObject({ status: 200, items: undefined });
	});
});
