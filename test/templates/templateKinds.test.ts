import type { ResourceMapperFields } from 'n8n-workflow';
import { resourceMapping } from '../../nodes/WhatsAppTemplateSend/methods';
import { refuseTemplateSend, TEMPLATES } from '../fakes/graphTemplates';
import { loadOptionsContext, metaTemplate, refused, runTemplateSend, sentTemplates, writes, withBackends } from './fixtures';

const HAT = 'https://cdn.example.com/hat.jpg';
const BAG = 'https://cdn.example.com/bag.jpg';
/** Far enough ahead that the offer has not ended when the test runs. */
const ENDS_AT = '2099-01-31T18:00:00Z';
const ENDS_AT_MS = Date.parse(ENDS_AT);

const carouselValues = {
	body_1: '={{ $json.name }}',
	card_0_media_header: HAT,
	card_0_body_1: 'Sun hat',
	card_0_body_2: '$15',
	card_0_button_0_payload: 'more-hat',
	card_0_button_1_url: 'hat-1',
	card_1_media_header: '4490709327',
	card_1_body_1: 'Beach bag',
	card_1_body_2: '$25',
	card_1_button_1_url: 'bag-2',
};

describe('carousel, limited-time offer, Flow button and one-tap templates: the exact request Meta gets', () => {
	it('sends a carousel with every card: media header, body and buttons by card_index', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(backends, metaTemplate('summer_picks:en_US', carouselValues), [{ json: { name: 'Ada' } }]);
			expect(result.error).toBeUndefined();
			expect(backends.graph.accepted.map((sent) => sent.body)).toEqual([
				{
					messaging_product: 'whatsapp',
					recipient_type: 'individual',
					to: '4915123456789',
					type: 'template',
					template: {
						name: 'summer_picks',
						language: { code: 'en_US' },
						components: [
							{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }] },
							{
								type: 'carousel',
								cards: [
									{
										card_index: 0,
										components: [
											{ type: 'header', parameters: [{ type: 'image', image: { link: HAT } }] },
											{
												type: 'body',
												parameters: [
													{ type: 'text', text: 'Sun hat' },
													{ type: 'text', text: '$15' },
												],
											},
											{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'more-hat' }] },
											{ type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'hat-1' }] },
										],
									},
									{
										card_index: 1,
										components: [
											{ type: 'header', parameters: [{ type: 'image', image: { id: '4490709327' } }] },
											{
												type: 'body',
												parameters: [
													{ type: 'text', text: 'Beach bag' },
													{ type: 'text', text: '$25' },
												],
											},
											{ type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'bag-2' }] },
										],
									},
								],
							},
						],
					},
				},
			]);
			expect(result.items[0].json.renderedText).toBe(
				[
					'Hi Ada, our summer picks for you:',
					'[Card 1] [image]\nSun hat, now $15.\n[Tell me more]\n[Shop] https://shop.example.com/p/hat-1',
					'[Card 2] [image]\nBeach bag, now $25.\n[Tell me more]\n[Shop] https://shop.example.com/p/bag-2',
				].join('\n\n'),
			);
		}));

	it('uploads a card image given as a binary field and sends it by media ID', () =>
		withBackends(async (backends) => {
			const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
			const result = await runTemplateSend(
				backends,
				metaTemplate('summer_picks:en_US', { ...carouselValues, card_1_media_header: 'photo' }),
				[{ json: { name: 'Ada' }, binary: { photo: { data: jpeg.toString('base64'), mimeType: 'image/jpeg', fileName: 'bag.jpg' } } }],
			);
			expect(result.error).toBeUndefined();
			expect(backends.graph.uploads.map((upload) => upload.file.data)).toEqual([jpeg]);
			const cards = sentTemplates(backends)[0].components[1].cards;
			expect(cards[1].components[0]).toEqual({
				type: 'header',
				parameters: [{ type: 'image', image: { id: backends.graph.uploads[0].id } }],
			});
		}));

	it('sends a limited-time offer: its expiration in UNIX milliseconds, the coupon code and the URL suffix', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				metaTemplate('flash_offer:en_US', {
					media_header: BAG,
					offer_expiration: '={{ $json.endsAt }}',
					body_1: 'Ada',
					body_2: 'CARIBE25',
					button_0_code: 'CARIBE25',
					button_1_url: 'c25',
				}),
				[{ json: { endsAt: ENDS_AT } }],
			);
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0]).toEqual({
				name: 'flash_offer',
				language: { code: 'en_US' },
				components: [
					{ type: 'header', parameters: [{ type: 'image', image: { link: BAG } }] },
					{
						type: 'limited_time_offer',
						parameters: [{ type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: ENDS_AT_MS } }],
					},
					{
						type: 'body',
						parameters: [
							{ type: 'text', text: 'Ada' },
							{ type: 'text', text: 'CARIBE25' },
						],
					},
					{ type: 'button', sub_type: 'copy_code', index: '0', parameters: [{ type: 'coupon_code', coupon_code: 'CARIBE25' }] },
					{ type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'c25' }] },
				],
			});
			expect(result.items[0].json.renderedText).toBe(
				'[image]\n\n[Expiring offer!] ends 2099-01-31T18:00:00.000Z\n\nGood news, Ada! Use code CARIBE25 to get 25% off.\n\n[Copy code] CARIBE25\n[Book now] https://shop.example.com/offer/c25',
			);
		}));

	it('takes the expiration as UNIX milliseconds too', () =>
		withBackends(async (backends) => {
			const values = {
				media_header: BAG,
				offer_expiration: String(ENDS_AT_MS),
				body_1: 'Ada',
				body_2: 'X',
				button_0_code: 'X',
				button_1_url: 'x',
			};
			const result = await runTemplateSend(backends, metaTemplate('flash_offer:en_US', values));
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0].components[1].parameters[0].limited_time_offer).toEqual({
				expiration_time_ms: ENDS_AT_MS,
			});
		}));

	it('sends a Flow button with its token and the first screen data (an object or its JSON text)', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				{
					...metaTemplate('book_visit:en_US', {
						body_1: 'Ada',
						button_0_flow_token: '={{ "visit-" + $json.id }}',
						button_0_flow_data: '={{ $json.data }}',
					}),
					recipient: '={{ $json.phone }}',
				},
				[
					{ json: { phone: '+4915123450007', id: 7, data: { customer_id: 'C-7', slots: ['09:00', '10:00'] } } },
					{ json: { phone: '+4915123450008', id: 8, data: '{"customer_id":"C-8"}' } },
				],
			);
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends).map((template) => template.components)).toEqual(
				[
					{ token: 'visit-7', data: { customer_id: 'C-7', slots: ['09:00', '10:00'] } },
					{ token: 'visit-8', data: { customer_id: 'C-8' } },
				].map(({ token, data }) => [
					{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }] },
					{
						type: 'button',
						sub_type: 'flow',
						index: '0',
						parameters: [{ type: 'action', action: { flow_token: token, flow_action_data: data } }],
					},
				]),
			);
			expect(result.items[0].json.renderedText).toBe('Hi Ada, book your next visit in a few taps.\n\n[Book now]');
		}));

	it('leaves out the Flow button when neither token nor data is mapped (Meta then uses "unused")', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(backends, metaTemplate('book_visit:en_US', { body_1: 'Ada' }));
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0].components).toEqual([{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }] }]);
		}));

	it('puts a one-tap authentication code into the body and, as the URL parameter, into the OTP button', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(backends, metaTemplate('verify_one_tap:en_US', { body_1: '482913' }));
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0]).toEqual({
				name: 'verify_one_tap',
				language: { code: 'en_US' },
				components: [
					{ type: 'body', parameters: [{ type: 'text', text: '482913' }] },
					{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '482913' }] },
				],
			});
		}));
});

describe('refused per item before any request', () => {
	// Fixed values: a refused item has no fields for expressions.
	const fixedCarousel = { ...carouselValues, body_1: 'Ada' };
	it.each([
		[
			'a carousel card without its image',
			'summer_picks:en_US',
			{ ...fixedCarousel, card_1_media_header: '' },
			'card_1_media_header',
			'card 2 has an image header, but no image was given (WhatsApp needs one for every card)',
		],
		[
			'a carousel card body value missing',
			'summer_picks:en_US',
			{ ...fixedCarousel, card_0_body_2: '' },
			'card_0_body_2',
			'placeholder Card 1 Body {{2}} has no value',
		],
		[
			'a card that the template does not have',
			'summer_picks:en_US',
			{ ...fixedCarousel, card_2_media_header: HAT },
			'card_2_media_header',
			`has no placeholder "card_2_media_header", but it was given the value "${HAT}"`,
		],
		[
			'an offer without its expiration',
			'flash_offer:en_US',
			{ media_header: BAG, body_1: 'Ada', body_2: 'X', button_0_code: 'X', button_1_url: 'x' },
			'offer_expiration',
			'placeholder Offer Expires At has no value',
		],
		[
			'an offer expiration in seconds',
			'flash_offer:en_US',
			{ media_header: BAG, offer_expiration: '4073484000', body_1: 'Ada', body_2: 'X', button_0_code: 'X', button_1_url: 'x' },
			'offer_expiration',
			'placeholder Offer Expires At value "4073484000" is not a date-time with a time zone nor UNIX milliseconds',
		],
		[
			'an offer expiration without a time zone',
			'flash_offer:en_US',
			{ media_header: BAG, offer_expiration: '2099-01-31T18:00:00', body_1: 'Ada', body_2: 'X', button_0_code: 'X', button_1_url: 'x' },
			'offer_expiration',
			'placeholder Offer Expires At value "2099-01-31T18:00:00" is not a date-time with a time zone nor UNIX milliseconds',
		],
		[
			'an offer that has already ended',
			'flash_offer:en_US',
			{ media_header: BAG, offer_expiration: '2020-01-01T00:00:00Z', body_1: 'Ada', body_2: 'X', button_0_code: 'X', button_1_url: 'x' },
			'offer_expiration',
			'placeholder Offer Expires At value "2020-01-01T00:00:00Z" is in the past (2020-01-01T00:00:00.000Z), so the offer would show as ended',
		],
		[
			'an offer without its coupon code',
			'flash_offer:en_US',
			{ media_header: BAG, offer_expiration: ENDS_AT, body_1: 'Ada', body_2: 'X', button_1_url: 'x' },
			'button_0_code',
			'placeholder Button 1 Coupon Code has no value',
		],
		[
			'Flow data that is not an object',
			'book_visit:en_US',
			{ body_1: 'Ada', button_0_flow_data: '["a"]' },
			'button_0_flow_data',
			'placeholder Button 1 Flow Data value "["a"]" is not an object',
		],
		[
			'a one-tap code longer than 15 characters',
			'verify_one_tap:en_US',
			{ body_1: '1234567890123456' },
			'body_1',
			'one-time code "1234567890123456" is longer than the 15 characters WhatsApp allows',
		],
	])('%s', (_, template, values, field, problem) =>
		withBackends(async (backends) => {
			const error = await refused(backends, metaTemplate(template, values));
			expect(error.field).toBe(field);
			expect(error.message).toBe(`Template "${template.split(':')[0]}" (en_US): ${problem}`);
			expect(error.fix).toBeTruthy();
		}),
	);

	it('refuses a one-tap authentication template for a BSUID recipient, with no request', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				{ ...metaTemplate('verify_one_tap:en_US', { body_1: '482913' }), recipient: 'US.13491208655302741918' },
				[{ json: {} }],
				{ continueOnFail: true },
			);
			expect(writes(backends)).toEqual([]);
			expect(result.items[0].json.status).toBe('failed');
			expect(String((result.items[0].json.error as Record<string, string>).description)).toContain('phone numbers only');
		}));

	it('stops a campaign item by item: the good items go, the bad one is refused alone', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				{
					...metaTemplate('summer_picks:en_US', { ...carouselValues, card_1_media_header: '={{ $json.bag }}' }),
					recipient: '={{ $json.phone }}',
				},
				[
					{ json: { phone: '+4915123450001', name: 'Ada', bag: BAG } },
					{ json: { phone: '+4915123450002', name: 'Bo' } },
					{ json: { phone: '+4915123450003', name: 'Cy', bag: BAG } },
				],
				{ continueOnFail: true },
			);
			expect(result.items.map((item) => item.json.status)).toEqual(['accepted', 'failed', 'accepted']);
			expect(backends.graph.accepted).toHaveLength(2);
		}));
});

describe("the fake follows Meta's documented checks of these kinds (independently of the package)", () => {
	const carousel = (cards: number) => ({
		name: 'summer_picks',
		language: { code: 'en_US' },
		components: [
			{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }] },
			{
				type: 'carousel',
				cards: Array.from({ length: cards }, (__, index) => ({
					card_index: index,
					components: [
						{ type: 'header', parameters: [{ type: 'image', image: { link: HAT } }] },
						{
							type: 'body',
							parameters: [
								{ type: 'text', text: 'a' },
								{ type: 'text', text: 'b' },
							],
						},
						{ type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'x' }] },
					],
				})),
			},
		],
	});

	it('takes exactly the cards the template defines', () => {
		expect(refuseTemplateSend(carousel(2), TEMPLATES)).toBeUndefined();
		expect(refuseTemplateSend(carousel(3), TEMPLATES)).toMatchObject({
			code: 132000,
			details: expect.stringContaining('3 cards sent, the template has 2'),
		});
	});

	it('needs the offer expiration of a limited-time offer with one', () => {
		const offer = {
			name: 'flash_offer',
			language: { code: 'en_US' },
			components: [
				{ type: 'header', parameters: [{ type: 'image', image: { link: BAG } }] },
				{
					type: 'body',
					parameters: [
						{ type: 'text', text: 'a' },
						{ type: 'text', text: 'b' },
					],
				},
				{ type: 'button', sub_type: 'copy_code', index: '0', parameters: [{ type: 'coupon_code', coupon_code: 'X' }] },
				{ type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'x' }] },
			],
		};
		expect(refuseTemplateSend(offer, TEMPLATES)).toMatchObject({ code: 132000, details: expect.stringContaining('expiration_time_ms') });
	});
});

describe('the placeholder columns of these kinds, as the panel lists them', () => {
	const columns = async (backends: Parameters<typeof loadOptionsContext>[0], value: string) =>
		(
			(await resourceMapping.getTemplatePlaceholders.call(
				loadOptionsContext(backends, { templateSource: 'meta', template: { __rl: true, mode: 'list', value } }),
			)) as ResourceMapperFields
		).fields.map((field) => [field.id, field.displayName, field.required]);

	it("lists each card's image, body and buttons with the card's own examples, the offer's expiration and the Flow's token and data", () =>
		withBackends(async (backends) => {
			expect(await columns(backends, 'summer_picks:en_US')).toEqual([
				['body_1', 'Body {{1}} · e.g. Ada', true],
				['card_0_media_header', 'Card 1 Image', true],
				['card_0_body_1', 'Card 1 Body {{1}}', true],
				['card_0_body_2', 'Card 1 Body {{2}}', true],
				['card_0_button_0_payload', 'Card 1 Button 1 Payload', false],
				['card_0_button_1_url', 'Card 1 Button 2 URL', true],
				['card_1_media_header', 'Card 2 Image', true],
				['card_1_body_1', 'Card 2 Body {{1}}', true],
				['card_1_body_2', 'Card 2 Body {{2}}', true],
				['card_1_button_0_payload', 'Card 2 Button 1 Payload', false],
				['card_1_button_1_url', 'Card 2 Button 2 URL', true],
			]);
			expect(await columns(backends, 'flash_offer:en_US')).toEqual([
				['media_header', 'Header Image', true],
				['offer_expiration', 'Offer Expires At', true],
				['body_1', 'Body {{1}} · e.g. Ada', true],
				['body_2', 'Body {{2}}', true],
				['button_0_code', 'Button 1 Coupon Code', true],
				['button_1_url', 'Button 2 URL Suffix', true],
			]);
			expect(await columns(backends, 'book_visit:en_US')).toEqual([
				['body_1', 'Body {{1}} · e.g. Ada', true],
				['button_0_flow_token', 'Button 1 Flow Token', false],
				['button_0_flow_data', 'Button 1 Flow Data', false],
			]);
			expect(await columns(backends, 'verify_one_tap:en_US')).toEqual([['body_1', 'One-Time Code {{1}}', true]]);
		}));
});
