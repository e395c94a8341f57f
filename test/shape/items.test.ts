/**
 * One item shape per node on both backends, and the README's example items taken from it: each example block
 * (`<!-- item: name -->` before a json block) must show exactly the keys the node's real item has, on the Cloud
 * API and on the Lite container alike. The nodes run through n8n's engine against the fakes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeParameters } from 'n8n-workflow';
import { runSend } from '../send/fixtures';
import { type Backends, runTemplateSend, startBackends } from '../templates/fixtures';
import {
	liteEvent,
	liteHeaders,
	liteMessage,
	metaBody,
	metaHeaders,
	metaMessage,
	metaStatus,
	startCloudTrigger,
	startLiteTrigger,
} from '../trigger/fixtures';
import type { TriggerUnderTest } from '../harness/webhook';
import { metaTextFrom } from '../fakes/metaWebhook';

type Json = Record<string, unknown>;

/** The README's example items by name. */
function readmeItems(): Map<string, Json> {
	const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
	const blocks = [...readme.matchAll(/<!-- item: ([\w-]+) -->\s*```json\n([\s\S]*?)```/g)];
	return new Map(blocks.map(([, name, json]) => [name, JSON.parse(json) as Json]));
}

const keysOf = (item: Json) => Object.keys(item).sort();
const BACKENDS = ['cloud', 'lite'] as const;

/** Asserts both backends' items have the same keys, and the README's example exactly those. */
function expectOneShape(name: string, items: Record<(typeof BACKENDS)[number], Json>) {
	expect(keysOf(items.lite)).toEqual(keysOf(items.cloud));
	const example = readmeItems().get(name);
	expect(example && keysOf(example)).toEqual(keysOf(items.cloud));
}

describe('WhatsApp Send and WhatsApp Template Send items', () => {
	let backends: Backends;
	beforeEach(async () => {
		backends = await startBackends();
	});
	afterEach(async () => await backends.close());

	/** The one output item of a node run on each backend, sent from n8n (no container campaign). */
	async function itemsOf(run: (backend: string) => Promise<{ items: Array<{ json: Json }> }>) {
		const [cloud, lite] = await Promise.all(BACKENDS.map(async (backend) => (await run(backend)).items[0].json));
		return { cloud, lite };
	}
	const send = (parameters: INodeParameters) => (backend: string) =>
		runSend(backends, { backend, recipient: '+49 151 23456789', delivery: { mode: 'direct' }, ...parameters }, undefined, {
			continueOnFail: true,
		});
	const templateSend = (parameters: INodeParameters) => (backend: string) =>
		runTemplateSend(
			backends,
			{
				backend,
				templateSource: 'text',
				textTemplate: 'Hello {{name}}, your order {{order}} has shipped.',
				delivery: { mode: 'direct' },
				...parameters,
			},
			[{ json: { name: 'Ada', order: 'A-1001' } }],
			{
				continueOnFail: true,
			},
		);

	it('send: an accepted message', async () => {
		const items = await itemsOf(send({ operation: 'sendText', text: 'Hello' }));
		expect(items.lite).toMatchObject({ to: '4915123456789', waId: '4915123456789', status: 'accepted' });
		expectOneShape('send', items);
	});

	it('send: an item refused before sending', async () => {
		const items = await itemsOf(send({ operation: 'sendText', recipient: '+49 151', text: 'Hello' }));
		expect(items.cloud).toMatchObject({ to: '+49 151', status: 'failed' });
		expectOneShape('send-failed', items);
	});

	it('template send: an accepted message', async () => {
		const items = await itemsOf(templateSend({}));
		expect(items.lite).toMatchObject({
			to: '4915123456789',
			renderedText: 'Hello Ada, your order A-1001 has shipped.',
			status: 'accepted',
		});
		expectOneShape('template-send', items);
	});

	it('template send through the Marketing Messages API (Cloud API only): the item says which endpoint carried it', async () => {
		backends.graph.options.marketingMessagesTermsAccepted = true;
		const welcome = {
			templateSource: 'meta',
			template: { __rl: true, mode: 'list', value: 'welcome_named:en_US' },
			templateParameters: { mappingMode: 'defineBelow', value: { body_first_name: 'Ada', body_shop_name: 'Lovelace Books' } },
			marketingMessages: true,
		};
		const [item] = (await templateSend(welcome)('cloud')).items;
		expect(item.json).toMatchObject({ status: 'accepted', endpoint: 'marketing_messages' });
		expect(keysOf(readmeItems().get('template-marketing-messages')!)).toEqual(keysOf(item.json));
	});

	it('template send: an item whose template cannot be filled', async () => {
		const items = await itemsOf(templateSend({ textTemplate: 'Hello {{name}}, your coupon is {{coupon}}' }));
		expect(items.lite).toMatchObject({ to: '4915123456789', status: 'failed' });
		expectOneShape('template-failed', items);
	});
});

describe('WhatsApp Trigger items', () => {
	let cloud: TriggerUnderTest;
	let lite: TriggerUnderTest;
	beforeAll(async () => {
		[cloud, lite] = await Promise.all([startCloudTrigger(), startLiteTrigger()]);
	});
	afterAll(async () => await Promise.all([cloud.close(), lite.close()]));

	async function itemsOf(cloudBody: object, liteBody: object) {
		const post = async (trigger: TriggerUnderTest, body: object, headers: (raw: string) => Record<string, string>) => {
			const raw = JSON.stringify(body);
			const call = await trigger.post(raw, headers(raw));
			expect(call.items).toHaveLength(1);
			return call.items![0].json as Json;
		};
		return { cloud: await post(cloud, cloudBody, metaHeaders), lite: await post(lite, liteBody, (raw) => liteHeaders(raw)) };
	}

	it('trigger: a text message', async () => {
		const items = await itemsOf(
			metaBody({ messages: [metaMessage('text', { text: { body: 'Hello' } })] }),
			liteEvent('message', liteMessage({ body: 'Hello' })),
		);
		expectOneShape('trigger-message', items);
	});

	it('trigger: a message from a user whose phone WhatsApp withholds (Cloud only: Lite has no BSUIDs)', async () => {
		const raw = JSON.stringify(
			metaBody(metaTextFrom({ userId: 'US.13491208655302741918', username: 'kerry.f', name: 'Kerry' }, 'hi', 'wamid.PHONELESS1')),
		);
		const item = (await cloud.post(raw, metaHeaders(raw))).items![0].json as Json;
		expect(item).not.toHaveProperty('from');
		expect(keysOf(readmeItems().get('trigger-message-phoneless')!)).toEqual(keysOf(item));
	});

	it('trigger: a delivery status', async () => {
		const items = await itemsOf(
			metaBody({ statuses: [metaStatus('delivered')] }),
			liteEvent('message_ack', {
				id: 'true_4915123456789@c.us_OUT1',
				to: '4915123456789',
				ack: 2,
				status: 'delivered',
				timestamp: 1717430460,
			}),
		);
		expectOneShape('trigger-status', items);
	});
});

describe('WhatsApp Trigger items with Record Opt-Outs', () => {
	it('trigger: an opt-out message', async () => {
		const options = { triggerOptions: { recordOptOuts: true } };
		const [cloud, lite] = await Promise.all([startCloudTrigger(options), startLiteTrigger(options)]);
		try {
			const post = async (trigger: TriggerUnderTest, body: object, headers: (raw: string) => Record<string, string>) => {
				const raw = JSON.stringify(body);
				return (await trigger.post(raw, headers(raw))).items![0].json as Json;
			};
			const items = {
				cloud: await post(cloud, metaBody({ messages: [metaMessage('text', { text: { body: 'STOP' } })] }), metaHeaders),
				lite: await post(lite, liteEvent('message', liteMessage({ body: 'STOP' })), (raw) => liteHeaders(raw)),
			};
			expect(items.lite.optOut).toMatchObject({ action: 'opted_out', keyword: 'STOP' });
			expectOneShape('trigger-opt-out', items);
		} finally {
			await Promise.all([cloud.close(), lite.close()]);
		}
	});
});
