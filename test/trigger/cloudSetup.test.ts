import type { INodeParameters } from 'n8n-workflow';
import { type FakeGraphApi, startFakeGraphApi } from '../fakes/graphApi';
import type { TriggerUnderTest } from '../harness/webhook';
import {
	ACCESS_TOKEN,
	APP_SECRET,
	cloudCredentials,
	metaBody,
	metaHeaders,
	metaMessage,
	PHONE_NUMBER_ID,
	startCloudTrigger,
	VERIFY_TOKEN,
} from './fixtures';

const APP_ID = '1234567890';
const JPEG = Buffer.from('\xff\xd8\xff\xe0 a small jpeg', 'latin1');

let graph: FakeGraphApi;
beforeAll(async () => {
	graph = await startFakeGraphApi({
		accessToken: ACCESS_TOKEN,
		phoneNumberId: PHONE_NUMBER_ID,
		app: { id: APP_ID, secret: APP_SECRET },
		media: { '5551': { data: JPEG, mimeType: 'image/jpeg' } },
	});
});
afterAll(async () => await graph.close());
beforeEach(() => graph.subscriptions.splice(0));

const withTrigger = async (parameters: INodeParameters, run: (trigger: TriggerUnderTest) => Promise<void>) => {
	const trigger = await startCloudTrigger(parameters, { whatsAppCloudApi: cloudCredentials({ baseUrl: graph.url }) });
	try {
		await run(trigger);
	} finally {
		await trigger.close();
	}
};

describe('Cloud registration', () => {
	it('manual set-up (default) calls nothing on activation', async () => {
		await withTrigger({}, async (trigger) => {
			const before = graph.requests.length;
			expect(await trigger.activate()).toEqual({ existed: true });
			expect(await trigger.deactivate()).toBe(true);
			expect(graph.requests.length).toBe(before);
		});
	});

	it('automatic: subscribes the app with the app token and verify token, finds it again, removes it', async () => {
		await withTrigger({ registerAutomatically: true, appId: APP_ID }, async (trigger) => {
			expect(await trigger.activate()).toEqual({ existed: false });
			expect(graph.subscriptions).toEqual([
				{
					object: 'whatsapp_business_account',
					callback_url: trigger.url,
					active: true,
					fields: [
						{ name: 'messages', version: 'v23.0' },
						{ name: 'user_id_update', version: 'v23.0' },
						{ name: 'message_template_status_update', version: 'v23.0' },
					],
				},
			]);
			const create = graph.requests.find((request) => request.method === 'POST' && request.path.endsWith('/subscriptions'))!;
			expect(create.body).toMatchObject({ verify_token: VERIFY_TOKEN, include_values: true });
			expect(create.headers.authorization).toBe(`Bearer ${APP_ID}|${APP_SECRET}`);
			expect(await trigger.activate()).toEqual({ existed: true });
			expect(await trigger.deactivate()).toBe(true);
			expect(graph.subscriptions).toEqual([]);
		});
	});

	it('subscribes the template and account fields its events need, and again when they were chosen since', async () => {
		await withTrigger({ registerAutomatically: true, appId: APP_ID }, async (trigger) => {
			expect(await trigger.activate()).toEqual({ existed: false });
		});
		const subscribedNames = () => graph.subscriptions.flatMap((subscription) => subscription.fields.map((field) => field.name));
		await withTrigger({ registerAutomatically: true, appId: APP_ID, events: ['message', 'template', 'account'] }, async (trigger) => {
			// The same URL is subscribed, but without the template fields: activation subscribes them.
			graph.subscriptions[0].callback_url = trigger.url;
			expect(await trigger.activate()).toEqual({ existed: false });
			expect(subscribedNames()).toEqual([
				'messages',
				'user_id_update',
				'message_template_status_update',
				'message_template_quality_update',
				'template_category_update',
				'account_update',
				'phone_number_quality_update',
			]);
			expect(await trigger.activate()).toEqual({ existed: true });
		});
	});

	it('an app pointing elsewhere fails activation clearly and is left alone; Replace takes it over', async () => {
		const elsewhere = {
			object: 'whatsapp_business_account',
			callback_url: 'https://other.example.com/webhook/abc-secret-path',
			active: true,
			fields: [{ name: 'messages', version: 'v23.0' }],
		};
		graph.subscriptions.push({ ...elsewhere });
		await withTrigger({ registerAutomatically: true, appId: APP_ID }, async (trigger) => {
			const failure = await trigger.activate().then(
				() => undefined,
				(error: Error & { description?: string }) => error,
			);
			expect(failure?.message).toBe(`Meta app ${APP_ID} already sends WhatsApp webhooks to https://other.example.com`);
			expect(failure?.description).toMatch(/Replace Existing Subscription/);
			expect(graph.subscriptions).toEqual([elsewhere]);
			// Deactivating never removes a subscription that is not this trigger's.
			await trigger.deactivate();
			expect(graph.subscriptions).toEqual([elsewhere]);
		});
		await withTrigger({ registerAutomatically: true, appId: APP_ID, replaceExisting: true }, async (trigger) => {
			expect(await trigger.activate()).toEqual({ existed: false });
			expect(graph.subscriptions.map((subscription) => subscription.callback_url)).toEqual([trigger.url]);
		});
	});

	it("a wrong app secret is reported with Meta's error and without the secret", async () => {
		const trigger = await startCloudTrigger(
			{ registerAutomatically: true, appId: APP_ID },
			{ whatsAppCloudApi: cloudCredentials({ baseUrl: graph.url, appSecret: 'wrong-secret-value' }) },
		);
		try {
			const failure = await trigger.activate().then(
				() => undefined,
				(error: Error) => error,
			);
			expect(failure?.message).toMatch(/access token/i);
			expect(JSON.stringify(failure)).not.toContain('wrong-secret-value');
		} finally {
			await trigger.close();
		}
	});
});

describe('media download', () => {
	const image = () => metaBody({ messages: [metaMessage('image', { image: { id: '5551', mime_type: 'image/jpeg', sha256: 'x' } })] });
	const deliver = async (trigger: TriggerUnderTest) => {
		const raw = JSON.stringify(image());
		return await trigger.post(raw, metaHeaders(raw));
	};

	it('puts the file into binary data, fetched by media ID with the access token', async () => {
		await withTrigger({ triggerOptions: { downloadMedia: true, binaryPropertyName: 'photo' } }, async (trigger) => {
			const [item] = (await deliver(trigger)).items!;
			expect(item.binary?.photo).toMatchObject({ mimeType: 'image/jpeg', fileSize: expect.any(String) });
			expect(Buffer.from(item.binary!.photo.data, 'base64')).toEqual(JPEG);
			expect(item.json.media).toEqual({ id: '5551', mimeType: 'image/jpeg', sha256: 'x' });
		});
	});

	it('skips a file over the size limit and says why; the event still starts the workflow', async () => {
		await withTrigger({ triggerOptions: { downloadMedia: true, maxMediaSizeMb: 0.000001 } }, async (trigger) => {
			const [item] = (await deliver(trigger)).items!;
			expect(item.binary).toBeUndefined();
			expect(item.json.media).toMatchObject({ downloadError: expect.stringContaining('more than the 1 bytes allowed') });
		});
	});

	it('notes a refused download on the item without the access token, even when the refusal echoes it', async () => {
		const refusing = await startFakeGraphApi({
			accessToken: ACCESS_TOKEN,
			phoneNumberId: PHONE_NUMBER_ID,
			media: { '5551': { data: JPEG, mimeType: 'image/jpeg' } },
			before: (request, response) => {
				if (!request.path.startsWith('/media-download/')) return false;
				response.writeHead(403, { 'content-type': 'application/json' });
				response.end(JSON.stringify({ refused: request.headers }));
				return true;
			},
		});
		const trigger = await startCloudTrigger(
			{ triggerOptions: { downloadMedia: true } },
			{ whatsAppCloudApi: cloudCredentials({ baseUrl: refusing.url }) },
		);
		try {
			const [item] = (await deliver(trigger)).items!;
			expect(item.binary).toBeUndefined();
			expect(item.json.media).toMatchObject({ id: '5551', downloadError: expect.stringContaining('403') });
			expect(JSON.stringify(item)).not.toContain(ACCESS_TOKEN);
		} finally {
			await trigger.close();
			await refusing.close();
		}
	});
});
