import { metaTemplate, runTemplateSend, sentTemplates, templateListings, withBackends } from './fixtures';

describe('Meta templates through the engine', () => {
	it('fills a positional template: text header, body, URL suffix and quick-reply payload', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				metaTemplate('order_update:en_US', {
					header_1: '={{ $json.order }}',
					body_1: '={{ $json.customer.name }}',
					body_2: '={{ $json.order }}',
					body_3: 'Monday',
					button_0_url: '={{ $json.order }}',
					button_1_payload: 'stop-{{ $json.order }}',
				}),
				[{ json: { order: 'A-1001', customer: { name: 'Ada' } } }],
			);
			expect(result.error).toBeUndefined();
			expect(backends.graph.accepted[0].body).toEqual({
				messaging_product: 'whatsapp',
				recipient_type: 'individual',
				to: '4915123456789',
				type: 'template',
				template: {
					name: 'order_update',
					language: { code: 'en_US' },
					components: [
						{ type: 'header', parameters: [{ type: 'text', text: 'A-1001' }] },
						{
							type: 'body',
							parameters: [
								{ type: 'text', text: 'Ada' },
								{ type: 'text', text: 'A-1001' },
								{ type: 'text', text: 'Monday' },
							],
						},
						{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'A-1001' }] },
						{ type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'stop-{{ $json.order }}' }] },
					],
				},
			});
			expect(result.items[0].json).toMatchObject({
				messageId: 'wamid.TEST000001',
				messageStatus: 'accepted',
				to: '4915123456789',
				template: 'order_update',
				language: 'en_US',
				renderedText:
					'Order A-1001\n\nHi Ada, your order A-1001 ships on Monday.\n\nReply STOP to opt out\n\n[Track order] https://shop.example.com/track/A-1001\n[Stop updates]',
			});
			expect(result.items[0].pairedItem).toEqual({ item: 0 });
		}));

	it('sends parameter_name with every value of a named template and leaves out unmapped quick-reply payloads', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				metaTemplate('welcome_named:en_US', { body_first_name: '={{ $json.name }}', body_shop_name: 'Lovelace Books' }),
				[{ json: { name: 'Ada' } }],
			);
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0].components).toEqual([
				{
					type: 'body',
					parameters: [
						{ type: 'text', text: 'Ada', parameter_name: 'first_name' },
						{ type: 'text', text: 'Lovelace Books', parameter_name: 'shop_name' },
					],
				},
			]);
			expect(result.items[0].json.renderedText).toBe('Hello Ada, welcome to Lovelace Books!\n\n[Yes please]\n[No thanks]');
		}));

	it('fills a named text header', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				metaTemplate('appointment_named:en_GB', { header_customer: 'Ada', body_date: '3 May' }),
			);
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0].components[0]).toEqual({
				type: 'header',
				parameters: [{ type: 'text', text: 'Ada', parameter_name: 'customer' }],
			});
			expect(result.items[0].json.renderedText).toBe('Hi Ada\n\nYour appointment is on 3 May.');
		}));

	it('sends an image header by link with a copy code', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				metaTemplate('spring_sale:en_US', {
					media_header: 'https://cdn.example.com/spring.jpg',
					body_1: 'Ada',
					body_2: '20%',
					button_0_code: 'SPRING20',
				}),
			);
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0].components).toEqual([
				{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/spring.jpg' } }] },
				{
					type: 'body',
					parameters: [
						{ type: 'text', text: 'Ada' },
						{ type: 'text', text: '20%' },
					],
				},
				{ type: 'button', sub_type: 'copy_code', index: '0', parameters: [{ type: 'coupon_code', coupon_code: 'SPRING20' }] },
			]);
			expect(result.items[0].json.renderedText).toBe(
				'[image]\n\nHi Ada, take 20% off everything this week.\n\n[Copy code] SPRING20\n[Shop now] https://shop.example.com/sale',
			);
		}));

	it('sends a video header by media ID', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(backends, metaTemplate('product_video:en_US', { media_header: '1234567890', body_1: 'Ada' }));
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0].components[0]).toEqual({
				type: 'header',
				parameters: [{ type: 'video', video: { id: '1234567890' } }],
			});
		}));

	it('uploads a document header from a binary field first and sends it by media ID with its file name', () =>
		withBackends(async (backends) => {
			const pdf = Buffer.from('%PDF-1.4 invoice');
			const result = await runTemplateSend(
				backends,
				metaTemplate('invoice_ready:en_US', { media_header: 'invoice', body_invoice_number: 'INV-7', body_amount: '$12.00' }),
				[{ json: {}, binary: { invoice: { data: pdf.toString('base64'), mimeType: 'application/pdf', fileName: 'INV-7.pdf' } } }],
			);
			expect(result.error).toBeUndefined();
			const upload = backends.graph.requests.find((request) => request.path.endsWith('/media'));
			expect(upload?.rawBody.includes(pdf)).toBe(true);
			const header = sentTemplates(backends)[0].components[0];
			expect(header).toEqual({
				type: 'header',
				parameters: [{ type: 'document', document: { id: expect.stringMatching(/^\d+$/), filename: 'INV-7.pdf' } }],
			});
			expect(result.items[0].json.renderedText).toBe('[document]\n\nInvoice INV-7 for $12.00 is attached.\n\n[Call us] +15550100000');
		}));

	it('sends a template without placeholders as it is', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(backends, metaTemplate('hello_world:en_US'));
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0]).toEqual({ name: 'hello_world', language: { code: 'en_US' } });
		}));

	it("lists the templates once per execution, whatever the number of items, and passes on Meta's message_status", () =>
		withBackends(
			async (backends) => {
				const items = ['Ada', 'Grace', 'Edsger', 'Barbara'].map((name, index) => ({
					json: { name, phone: `+4915123456${String(index).padStart(3, '0')}` },
				}));
				const result = await runTemplateSend(
					backends,
					{
						...metaTemplate('welcome_named:en_US', { body_first_name: '={{ $json.name }}', body_shop_name: 'Books' }),
						recipient: '={{ $json.phone }}',
					},
					items,
				);
				expect(result.error).toBeUndefined();
				expect(backends.graph.accepted).toHaveLength(4);
				// 20 templates at 4 per page: one listing is 5 requests, following the cursor.
				const listings = templateListings(backends);
				expect(listings.map((request) => request.query.get('after'))).toEqual([null, ...Array(4).fill(expect.any(String))]);
				expect(result.items.map((item) => item.json.messageStatus)).toEqual(Array(4).fill('held_for_quality_assessment'));
				expect(result.items.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
			},
			{ templateMessageStatus: 'held_for_quality_assessment' },
		));

	it('takes the template by name and language from an expression, and the values from the item (auto-map)', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				{
					templateSource: 'meta',
					template: { __rl: true, mode: 'name', value: '={{ $json.template }}' },
					templateParameters: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] },
					recipient: '={{ $json.phone ?? "+4915123456789" }}',
				},
				[
					{ json: { template: 'order_update:de', header_1: 'A-7', body_1: 'Ada', body_2: 'A-7', body_3: 'Montag', unrelated: 'ignored' } },
					{ json: { template: 'hello_world:en_US', unrelated: 'ignored', phone: '+4915123450000' } },
				],
			);
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends).map((template) => [template.name, template.language.code])).toEqual([
				['order_update', 'de'],
				['hello_world', 'en_US'],
			]);
			expect(result.items[0].json.renderedText).toBe('Bestellung A-7\n\nHallo Ada, deine Bestellung A-7 wird am Montag verschickt.');
		}));
});
