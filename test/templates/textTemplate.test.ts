import { metaTemplate, runTemplateSend, withBackends, writes } from './fixtures';

const textTemplate = (textTemplateValue: string, extra: Record<string, unknown> = {}) => ({
	backend: 'lite',
	templateSource: 'text',
	textTemplate: textTemplateValue,
	...extra,
});

describe('text templates (Automator style) on either backend', () => {
	it('fills nested paths and fallbacks from each item on the Lite container', () =>
		withBackends(async (backends) => {
			const items = [
				{ json: { phone: '+4915123450001', user: { first_name: 'Ada', orders: [{ id: 'A-1' }] } } },
				{ json: { phone: '+4915123450002', user: { orders: [{ id: 'B-2' }] } } },
			];
			const result = await runTemplateSend(
				backends,
				{ ...textTemplate('Hello {{user.first_name | "there"}}, order {{ user.orders.0.id }} shipped.'), recipient: '={{ $json.phone }}' },
				items,
			);
			expect(result.error).toBeUndefined();
			expect(backends.lite.sent.map((sent) => [sent.number, sent.message])).toEqual([
				['4915123450001', 'Hello Ada, order A-1 shipped.'],
				['4915123450002', 'Hello there, order B-2 shipped.'],
			]);
			expect(result.items.map((item) => item.json)).toEqual([
				expect.objectContaining({ status: 'accepted', backend: 'lite', renderedText: 'Hello Ada, order A-1 shipped.', type: 'text' }),
				expect.objectContaining({ status: 'accepted', renderedText: 'Hello there, order B-2 shipped.' }),
			]);
		}));

	it('sends a media URL with placeholders, the text as its caption', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				textTemplate('New in: {{product.name}}', { mediaUrl: 'https://cdn.example.com/{{product.sku}}.jpg', mediaType: 'image' }),
				[{ json: { product: { name: 'Lamp', sku: 'L-9' } } }],
			);
			expect(result.error).toBeUndefined();
			expect(backends.lite.sent[0]).toMatchObject({ imageUrl: 'https://cdn.example.com/L-9.jpg', message: 'New in: Lamp' });
		}));

	it('in an expression, escaped placeholders \\{{…}} reach the node and n8n fills its own {{ $json… }} beside them', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				textTemplate('=Hello \\{{user.first_name | "there"}}, greetings from {{ $json.shop }}.', {
					mediaUrl: '=https://cdn.example.com/\\{{product}}.jpg',
				}),
				[{ json: { shop: 'Lamp Shop', product: 'L-9', user: { first_name: 'Ada' } } }],
			);
			expect(result.error).toBeUndefined();
			expect(backends.lite.sent[0]).toMatchObject({
				imageUrl: 'https://cdn.example.com/L-9.jpg',
				message: 'Hello Ada, greetings from Lamp Shop.',
			});
		}));

	it('in an expression, a placeholder n8n would evaluate to nothing fails the item, naming the field and the escape, with nothing sent', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				textTemplate('=Hello {{user.first_name | "there"}}, greetings from {{ $json.shop }}.'),
				[{ json: { shop: 'Lamp Shop', user: { first_name: 'Ada' } } }],
				{ continueOnFail: true },
			);
			expect(result.items[0].json).toMatchObject({
				status: 'failed',
				error: {
					message:
						'Text Template "{{user.first_name | "there"}}" is in an expression, so n8n evaluated it itself (to nothing) before the node could fill it',
					field: 'Text Template',
					fix: 'Write it as \\{{user.first_name | "there"}} (n8n leaves \\{{ to the node), or switch Text Template back to Fixed',
				},
			});
			expect(writes(backends)).toEqual([]);
		}));

	it('a placeholder without value and fallback fails the item, naming it and the fix, with nothing sent', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				textTemplate('Hi {{user.first_name}} from {{user.city}}'),
				[{ json: { user: { city: 'Berlin' } } }],
				{ continueOnFail: true },
			);
			expect(result.items[0].json).toMatchObject({
				status: 'failed',
				error: {
					message: 'Text Template: {{user.first_name}} has no value in this item and no fallback',
					fix: expect.stringContaining('{{user.first_name | "there"}}'),
				},
			});
			expect(writes(backends)).toEqual([]);
		}));

	it('or skips the item with that reason, while the others are sent', () =>
		withBackends(async (backends) => {
			const items = [{ json: { phone: '+4915123450001', name: 'Ada' } }, { json: { phone: '+4915123450002' } }];
			const result = await runTemplateSend(
				backends,
				{ ...textTemplate('Hi {{name}}', { missingValues: 'skip' }), recipient: '={{ $json.phone }}' },
				items,
			);
			expect(result.error).toBeUndefined();
			expect(result.items[1]).toEqual({
				json: { status: 'skipped', reason: '{{name}} has no value in this item and no fallback', to: '4915123450002' },
				pairedItem: { item: 1 },
			});
			expect(backends.lite.sent.map((sent) => sent.number)).toEqual(['4915123450001']);
		}));

	it('adds a random reference that makes every message of a campaign different', () =>
		withBackends(async (backends) => {
			const items = ['1', '2', '3'].map((digit) => ({ json: { phone: `+491512345000${digit}` } }));
			const result = await runTemplateSend(
				backends,
				{ ...textTemplate('Our spring sale starts today!', { randomString: true }), recipient: '={{ $json.phone }}' },
				items,
			);
			expect(result.error).toBeUndefined();
			const texts = backends.lite.sent.map((sent) => String(sent.message));
			texts.forEach((text) => expect(text).toMatch(/^Our spring sale starts today!\n\nRef\. [0-9A-F]{6}$/));
			expect(new Set(texts).size).toBe(3);
			expect(result.items.map((item) => item.json.renderedText)).toEqual(texts);
		}));

	it('renders to a text message on the Cloud API too', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(backends, textTemplate('Hello {{name}}', { backend: 'cloud' }), [{ json: { name: 'Ada' } }]);
			expect(result.error).toBeUndefined();
			expect(backends.graph.accepted[0].body.text).toEqual({ body: 'Hello Ada', preview_url: false });
		}));
});

describe('preview', () => {
	it('renders every item of a Meta template without sending or uploading anything', () =>
		withBackends(async (backends) => {
			const items = [{ json: { name: 'Ada' } }, { json: { name: 'Grace' } }];
			const result = await runTemplateSend(
				backends,
				{ operation: 'preview', ...metaTemplate('welcome_named:en_US', { body_first_name: '={{ $json.name }}', body_shop_name: 'Books' }) },
				items,
			);
			expect(result.error).toBeUndefined();
			expect(writes(backends)).toEqual([]);
			expect(result.items.map((item) => item.json)).toEqual([
				{
					status: 'preview',
					to: '4915123456789',
					type: 'template',
					template: 'welcome_named',
					language: 'en_US',
					renderedText: 'Hello Ada, welcome to Books!\n\n[Yes please]\n[No thanks]',
				},
				{
					status: 'preview',
					to: '4915123456789',
					type: 'template',
					template: 'welcome_named',
					language: 'en_US',
					renderedText: 'Hello Grace, welcome to Books!\n\n[Yes please]\n[No thanks]',
				},
			]);
		}));

	it('renders text templates on Lite, skips included, still checking each item', () =>
		withBackends(async (backends) => {
			const items = [{ json: { name: 'Ada' } }, { json: {} }, { json: { name: 'Grace' } }];
			const result = await runTemplateSend(
				backends,
				{ operation: 'preview', ...textTemplate('Hi {{name}}', { missingValues: 'skip' }) },
				items,
			);
			expect(writes(backends)).toEqual([]);
			expect(result.items.map((item) => [item.json.status, item.json.renderedText ?? item.json.reason])).toEqual([
				['preview', 'Hi Ada'],
				['skipped', '{{name}} has no value in this item and no fallback'],
				['preview', 'Hi Grace'],
			]);
		}));
});
