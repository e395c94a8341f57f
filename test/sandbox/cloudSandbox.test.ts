import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normaliseCloud } from '../../nodes/whatsapp/inbound/normaliseCloud';
import { verifyMetaSignature } from '../../contract/signatures';
import { parseRelayApps } from '../../lite/src/relay/settings';
import { API_KEY, startGateway } from '../../lite/test/helpers/gateway';
import { startReceiver } from '../../lite/test/helpers/receiver';
import { waitFor } from '../../lite/test/helpers/wait';
import { CLOUD_SANDBOX_IDS, type CloudSandbox, startCloudSandbox } from '../fakes/cloudSandbox';

/** The Cloud API sandbox of `npm start` (docs/cloud-api-sandbox.md): its own routes, on top of the fake Graph API. */
describe('Cloud API sandbox', () => {
	const secrets = { accessToken: 'EAASANDBOXtoken', appSecret: 'sandbox-app-secret' };
	let sandbox: CloudSandbox;
	let receiver: Server;
	let receiverUrl: string;
	const received: Array<{ body: string; signature: string | undefined }> = [];
	/** A JSON answer's body, as the sandbox documents it. */
	const json = async (response: Response): Promise<any> => response.json();

	beforeAll(async () => {
		sandbox = await startCloudSandbox(secrets);
		receiver = createServer((request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				received.push({
					body: Buffer.concat(chunks).toString('utf8'),
					signature: request.headers['x-hub-signature-256'] as string | undefined,
				});
				response.writeHead(200).end();
			});
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`;
	});
	afterAll(async () => {
		await sandbox.close();
		await new Promise((resolve) => receiver.close(resolve));
	});

	const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
		fetch(`${sandbox.url}${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body: JSON.stringify(body),
		});

	it('says at its root that it is not Meta', async () => {
		const root = await json(await fetch(`${sandbox.url}/`));
		expect(root.sandbox).toMatch(/NOT Meta/);
		expect(root.phoneNumberId).toBe(CLOUD_SANDBOX_IDS.phoneNumberId);
	});

	it('answers the credential test and lists templates with the access token, refuses another token as Meta does', async () => {
		const auth = { authorization: `Bearer ${secrets.accessToken}` };
		const number = await json(await fetch(`${sandbox.url}/v23.0/${CLOUD_SANDBOX_IDS.phoneNumberId}`, { headers: auth }));
		expect(number.verified_name).toBe('Cloud API sandbox (not Meta)');
		const templates = await json(
			await fetch(`${sandbox.url}/v23.0/${CLOUD_SANDBOX_IDS.businessAccountId}/message_templates?limit=100`, { headers: auth }),
		);
		expect(templates.data.map((template: { name: string }) => template.name)).toEqual(
			expect.arrayContaining(['order_update', 'welcome_named', 'hello_world']),
		);
		const refused = await fetch(`${sandbox.url}/v23.0/${CLOUD_SANDBOX_IDS.phoneNumberId}`, {
			headers: { authorization: 'Bearer EAAother' },
		});
		expect(refused.status).toBe(401);
		expect((await json(refused)).error.code).toBe(190);
	});

	it('"receives" a text: a Meta webhook signed with the app secret reaches the subscribed callback, and the trigger reads it', async () => {
		const none = await post('/sandbox/inbound', { from: '+49 151 23456701', text: 'JOIN' });
		expect(none.status).toBe(409);
		expect((await json(none)).hint).toMatch(/Register Automatically/);

		// What the WhatsApp Trigger's Register Automatically does: the app token is "<app id>|<app secret>".
		const subscribe = await post(
			`/v23.0/${CLOUD_SANDBOX_IDS.appId}/subscriptions`,
			{ object: 'whatsapp_business_account', callback_url: receiverUrl, verify_token: 'v', fields: 'messages' },
			{ authorization: `Bearer ${CLOUD_SANDBOX_IDS.appId}|${secrets.appSecret}` },
		);
		expect(subscribe.status).toBe(200);

		const inbound = await post('/sandbox/inbound', { from: '+49 151 23456701', name: 'Ada', body: 'JOIN spring-sale' });
		expect(inbound.status).toBe(200);
		expect((await json(inbound)).delivered).toEqual([{ url: receiverUrl, status: 200 }]);
		expect(received).toHaveLength(1);
		const [{ body, signature }] = received;
		expect(verifyMetaSignature(secrets.appSecret, Buffer.from(body), signature)).toEqual({ valid: true });
		const [event] = normaliseCloud(JSON.parse(body));
		expect(event).toMatchObject({
			event: 'message',
			backend: 'cloud',
			from: '4915123456701',
			name: 'Ada',
			type: 'text',
			text: 'JOIN spring-sale',
			businessNumber: CLOUD_SANDBOX_IDS.phoneNumberId,
		});
	});

	it('"receives" from a user whose phone is withheld, reports statuses of a BSUID send, and sends user_id_update', async () => {
		const before = received.length;
		const events = () => received.slice(before).flatMap(({ body }) => normaliseCloud(JSON.parse(body)));
		expect((await post('/sandbox/inbound', { userId: 'US.13491208655302741918', username: 'ada.l', text: 'hi' })).status).toBe(200);
		const sent = await post(
			`/v23.0/${CLOUD_SANDBOX_IDS.phoneNumberId}/messages`,
			{
				messaging_product: 'whatsapp',
				recipient: 'US.13491208655302741918',
				type: 'text',
				text: { body: 'Hello!' },
			},
			{ authorization: `Bearer ${secrets.accessToken}` },
		);
		const answer = await json(sent);
		expect(answer.contacts).toEqual([{ input: 'US.13491208655302741918', user_id: 'US.13491208655302741918' }]);
		expect((await post('/sandbox/status', { id: answer.messages[0].id, status: 'read' })).status).toBe(200);
		const update = { phone: '+49 151 23456799', previousUserId: 'US.13491208655302741918', userId: 'US.99' };
		expect((await post('/sandbox/user-id-update', update)).status).toBe(200);
		expect((await post('/sandbox/user-id-update', { ...update, userId: 'nope' })).status).toBe(400);
		expect(events()).toMatchObject([
			{ event: 'message', userId: 'US.13491208655302741918', username: 'ada.l', text: 'hi' },
			{ event: 'status', status: 'read', userId: 'US.13491208655302741918' },
			{ event: 'identity', from: '4915123456799', userId: 'US.99', identity: { previousUserId: 'US.13491208655302741918' } },
		]);
		expect(events()[0]).not.toHaveProperty('from');
	});

	it('pauses a template: sends of it get 132015 and message_template_status_update goes out; approved again, it sends', async () => {
		const before = received.length;
		const auth = { authorization: `Bearer ${secrets.accessToken}` };
		const send = async () =>
			await post(
				`/v23.0/${CLOUD_SANDBOX_IDS.phoneNumberId}/messages`,
				{
					messaging_product: 'whatsapp',
					to: '4915123456701',
					type: 'template',
					template: {
						name: 'book_visit',
						language: { code: 'en_US' },
						components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }] }],
					},
				},
				auth,
			);
		expect((await post('/sandbox/template-status', { name: 'book_visit', language: 'en_US', status: 'PAUSED' })).status).toBe(200);
		const refused = await send();
		expect([refused.status, (await json(refused)).error.code]).toEqual([400, 132015]);
		expect((await post('/sandbox/template-status', { name: 'book_visit', language: 'en_US', status: 'APPROVED' })).status).toBe(200);
		expect((await send()).status).toBe(200);
		expect((await post('/sandbox/template-status', { name: 'book_visit', language: 'en_US', status: 'LOST' })).status).toBe(400);
		expect((await post('/sandbox/template-status', { name: 'nope', language: 'en_US', status: 'PAUSED' })).status).toBe(400);
		const events = received.slice(before).flatMap(({ body }) => normaliseCloud(JSON.parse(body)));
		expect(events.map((event) => [event.event, event.businessNumber, event.template?.name, event.template?.status])).toEqual([
			['template', CLOUD_SANDBOX_IDS.businessAccountId, 'book_visit', 'PAUSED'],
			['template', CLOUD_SANDBOX_IDS.businessAccountId, 'book_visit', 'APPROVED'],
		]);
	});

	it('takes marketing templates on /marketing_messages, refusing other messages as Meta does, and 131055 once its terms are withdrawn', async () => {
		const auth = { authorization: `Bearer ${secrets.accessToken}` };
		const template = (name: string) => ({
			messaging_product: 'whatsapp',
			to: '4915123456701',
			type: 'template',
			template: { name, language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }] }] },
		});
		const send = async (body: unknown) => {
			const answer = await post(`/v23.0/${CLOUD_SANDBOX_IDS.phoneNumberId}/marketing_messages`, body, auth);
			return [answer.status, (await json(answer)).error?.code];
		};
		const text = { messaging_product: 'whatsapp', to: '4915123456701', type: 'text', text: { body: 'hi' } };
		expect(await send(template('book_visit'))).toEqual([200, undefined]);
		expect(sandbox.graph.accepted.at(-1)).toMatchObject({ endpoint: 'marketing_messages', body: template('book_visit') });
		expect(await send(template('order_update'))).toEqual([400, 131055]);
		expect(await send(text)).toEqual([400, 100]);
		expect((await post('/sandbox/marketing-messages-terms', { accepted: 'no' })).status).toBe(400);
		expect((await post('/sandbox/marketing-messages-terms', { accepted: false })).status).toBe(200);
		expect(await send(template('book_visit'))).toEqual([400, 131055]);
		expect((await post('/sandbox/marketing-messages-terms', { accepted: true })).status).toBe(200);
		expect(await send(template('book_visit'))).toEqual([200, undefined]);
	});

	it('refuses a sender that is not a phone number, and a message without text, before sending anything', async () => {
		const before = received.length;
		const badSender = await post('/sandbox/inbound', { from: 'Ada', text: 'hi' });
		expect(badSender.status).toBe(400);
		expect((await json(badSender)).error).toMatch(/from "Ada" is not a phone number/);
		expect((await post('/sandbox/inbound', { from: '+49 151 23456701' })).status).toBe(400);
		expect(received).toHaveLength(before);
	});
});

/** npm start wires the sandbox app to the gateway's relay (scripts/lib/sandboxStack.js): what it receives goes there. */
test('with a relay callback, a received message goes through the relay to its subscribers', async () => {
	const appSecret = 'sandbox-app-secret-for-the-relay';
	const gateway = await startGateway({ relayApps: parseRelayApps(JSON.stringify({ sandbox: { appSecret, verifyToken: 'token' } })) });
	const subscriber = await startReceiver();
	const sandbox = await startCloudSandbox({ accessToken: 'EAASANDBOXtoken', appSecret, relayCallback: `${gateway.url}/meta/sandbox` });
	try {
		const registered = await gateway.call(
			'POST',
			'/relay/subscribers',
			{ url: subscriber.url, secret: 'x'.repeat(32) },
			{ appApiKey: API_KEY },
		);
		expect(registered.status).toBe(201);
		const inbound = await fetch(`${sandbox.url}/sandbox/inbound`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ from: '+49 151 23456701', name: 'Ada', text: 'JOIN' }),
		});
		expect(inbound.status).toBe(200);
		expect(await inbound.json()).toEqual({ delivered: [], relayed: { url: `${gateway.url}/meta/sandbox`, status: 200 } });
		await waitFor(() => subscriber.deliveries.length === 1, 5_000, 'the relayed message');
		expect(normaliseCloud(subscriber.deliveries[0].body)).toMatchObject([{ event: 'message', from: '4915123456701', text: 'JOIN' }]);
	} finally {
		await sandbox.close();
		await subscriber.stop();
		await gateway.stop();
	}
});
