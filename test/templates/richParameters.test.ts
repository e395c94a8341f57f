import { metaTemplate, refused, runTemplateSend, sentTemplates, withBackends } from './fixtures';

const USD = { currency: { fallback_value: '$12.50', code: 'USD', amount_1000: 12500 } };
const DUE = { date_time: { fallback_value: 'May 3, 2025' } };

describe('document file names, location headers, currency and date-time values, authentication codes', () => {
	it('gives a document header sent by link the mapped file name, and one sent by media ID none unless mapped', () =>
		withBackends(async (backends) => {
			const values = { body_invoice_number: 'INV-7', body_amount: '$12.00' };
			const parameters = {
				...metaTemplate('invoice_ready:en_US', {
					...values,
					media_header: '={{ $json.file }}',
					media_header_filename: '={{ $json.name }}',
				}),
				recipient: '={{ $json.phone }}',
			};
			const result = await runTemplateSend(backends, parameters, [
				{ json: { phone: '+4915123450001', file: 'https://cdn.example.com/inv/7.pdf', name: 'INV-7.pdf' } },
				{ json: { phone: '+4915123450002', file: '998877' } },
			]);
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends).map((template) => template.components[0])).toEqual([
				{
					type: 'header',
					parameters: [{ type: 'document', document: { link: 'https://cdn.example.com/inv/7.pdf', filename: 'INV-7.pdf' } }],
				},
				{ type: 'header', parameters: [{ type: 'document', document: { id: '998877' } }] },
			]);
		}));

	it("a file name mapped for a binary document header is used instead of the binary's own", () =>
		withBackends(async (backends) => {
			const pdf = Buffer.from('%PDF-1.4 invoice');
			const result = await runTemplateSend(
				backends,
				metaTemplate('invoice_ready:en_US', {
					media_header: 'invoice',
					media_header_filename: 'Invoice May.pdf',
					body_invoice_number: 'INV-7',
					body_amount: '$12.00',
				}),
				[{ json: {}, binary: { invoice: { data: pdf.toString('base64'), mimeType: 'application/pdf', fileName: 'scan-0042.pdf' } } }],
			);
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0].components[0].parameters[0].document).toEqual({
				id: expect.stringMatching(/^\d+$/),
				filename: 'Invoice May.pdf',
			});
		}));

	it('sends a LOCATION header with numeric coordinates, name and address, and renders it', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				metaTemplate('store_pickup:en_US', {
					location_latitude: '={{ $json.store.lat }}',
					location_longitude: '={{ $json.store.lng }}',
					location_name: 'Lovelace Books',
					location_address: '1 Analytical Row, London',
					body_1: 'Ada',
				}),
				[{ json: { store: { lat: '51.5246', lng: -0.134 } } }],
			);
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0]).toEqual({
				name: 'store_pickup',
				language: { code: 'en_US' },
				components: [
					{
						type: 'header',
						parameters: [
							{
								type: 'location',
								location: { latitude: 51.5246, longitude: -0.134, name: 'Lovelace Books', address: '1 Analytical Row, London' },
							},
						],
					},
					{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }] },
				],
			});
			expect(result.items[0].json.renderedText).toBe(
				'[location: Lovelace Books, 1 Analytical Row, London]\n\nHi Ada, your order is ready for pickup here.',
			);
		}));

	it('leaves out a location name and address that are not given', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				metaTemplate('store_pickup:en_US', { location_latitude: '-33.8568', location_longitude: '151.2153', body_1: 'Ada' }),
			);
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0].components[0]).toEqual({
				type: 'header',
				parameters: [{ type: 'location', location: { latitude: -33.8568, longitude: 151.2153 } }],
			});
			expect(result.items[0].json.renderedText).toBe('[location: -33.8568, 151.2153]\n\nHi Ada, your order is ready for pickup here.');
		}));

	it('sends currency and date-time values (objects or their JSON text) as those parameter types, with parameter_name, and renders their fallbacks', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				metaTemplate('payment_due:en_US', {
					body_first_name: '={{ $json.name }}',
					body_amount: '={{ $json.amount }}',
					body_due_date: JSON.stringify(DUE),
				}),
				[{ json: { name: 'Ada', amount: USD } }],
			);
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0].components).toEqual([
				{
					type: 'body',
					parameters: [
						{ type: 'text', text: 'Ada', parameter_name: 'first_name' },
						{ type: 'currency', currency: { fallback_value: '$12.50', code: 'USD', amount_1000: 12500 }, parameter_name: 'amount' },
						{ type: 'date_time', date_time: { fallback_value: 'May 3, 2025' }, parameter_name: 'due_date' },
					],
				},
			]);
			expect(result.items[0].json.renderedText).toBe('Hi Ada, your payment of $12.50 is due on May 3, 2025.');
		}));

	it('takes currency and date-time objects from the item when mapping automatically; plain values stay text', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(
				backends,
				{
					templateSource: 'meta',
					template: { __rl: true, mode: 'list', value: 'payment_due:en_US' },
					templateParameters: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] },
				},
				[
					{
						json: {
							body_first_name: 'Ada',
							body_amount: { currency: { fallback_value: '€9', code: 'EUR', amount_1000: '9000' } },
							body_due_date: 'tomorrow',
						},
					},
				],
			);
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0].components[0].parameters.slice(1)).toEqual([
				{ type: 'currency', currency: { fallback_value: '€9', code: 'EUR', amount_1000: 9000 }, parameter_name: 'amount' },
				{ type: 'text', text: 'tomorrow', parameter_name: 'due_date' },
			]);
		}));

	it("puts an authentication template's code, mapped once, into the body and the copy-code button (URL form)", () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(backends, metaTemplate('verify_code:en_US', { body_1: '={{ $json.code }}' }), [
				{ json: { code: 'J$FpnYnP' } },
			]);
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0]).toEqual({
				name: 'verify_code',
				language: { code: 'en_US' },
				components: [
					{ type: 'body', parameters: [{ type: 'text', text: 'J$FpnYnP' }] },
					{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'J$FpnYnP' }] },
				],
			});
			expect(result.items[0].json.renderedText).toBe(
				'*J$FpnYnP* is your verification code. For your security, do not share this code.\n\nThis code expires in 10 minutes.\n\n[Copy code] J$FpnYnP',
			);
		}));

	it('does the same for an authentication template listed with an OTP button', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(backends, metaTemplate('verify_code:de', { body_1: 123456 as unknown as string }));
			expect(result.error).toBeUndefined();
			expect(sentTemplates(backends)[0].components).toEqual([
				{ type: 'body', parameters: [{ type: 'text', text: '123456' }] },
				{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '123456' }] },
			]);
			expect(result.items[0].json.renderedText).toBe('*123456* ist dein Bestätigungscode.\n\n[Code kopieren] 123456');
		}));
});

describe('checks of these values before any request', () => {
	const invoice = { media_header: 'https://cdn.example.com/inv.pdf', body_invoice_number: 'INV-7', body_amount: '$1' };
	const pickup = { location_latitude: '51.5', location_longitude: '-0.13', body_1: 'Ada' };

	it('a file name for a header that is not a document is a value the template does not take', () =>
		withBackends(async (backends) => {
			const error = await refused(
				backends,
				metaTemplate('spring_sale:en_US', {
					media_header: 'https://cdn.example.com/a.jpg',
					media_header_filename: 'a.jpg',
					body_1: 'Ada',
					body_2: '5%',
					button_0_code: 'X',
				}),
			);
			expect(error.message).toBe(
				'Template "spring_sale" (en_US): has no placeholder "media_header_filename", but it was given the value "a.jpg"',
			);
		}));

	it('a document file name must be text', () =>
		withBackends(async (backends) => {
			const error = await refused(
				backends,
				metaTemplate('invoice_ready:en_US', { ...invoice, media_header_filename: '={{ { name: "x" } }}' }),
			);
			expect(error).toMatchObject({
				field: 'media_header_filename',
				message: 'Template "invoice_ready" (en_US): placeholder Header File Name was given an object ({"name":"x"})',
			});
		}));

	it('a location header needs its latitude and longitude', () =>
		withBackends(async (backends) => {
			const { location_latitude: _, ...noLatitude } = pickup;
			const error = await refused(backends, metaTemplate('store_pickup:en_US', noLatitude));
			expect(error).toMatchObject({
				field: 'location_latitude',
				message: 'Template "store_pickup" (en_US): placeholder Location Latitude has no value',
			});
		}));

	it.each([
		['location_latitude', 'north', 'placeholder Location Latitude value "north" is not a latitude', 'Map a number from -90 to 90'],
		['location_latitude', '91', 'placeholder Location Latitude value "91" is not a latitude', 'Map a number from -90 to 90'],
		['location_longitude', '-180.5', 'placeholder Location Longitude value "-180.5" is not a longitude', 'Map a number from -180 to 180'],
		['location_longitude', '12,5', 'placeholder Location Longitude value "12,5" is not a longitude', 'Map a number from -180 to 180'],
	])('%s %s is refused', (id, value, problem, fix) =>
		withBackends(async (backends) => {
			const error = await refused(backends, metaTemplate('store_pickup:en_US', { ...pickup, [id]: value }));
			expect(error.message).toBe(`Template "store_pickup" (en_US): ${problem}`);
			expect(error.fix).toContain(fix);
			expect(error.field).toBe(id);
		}),
	);

	it.each([
		[
			'a currency without code',
			{ currency: { fallback_value: '$1', amount_1000: 1000 } },
			'currency value needs a code, an ISO 4217 currency code such as USD or EUR',
		],
		[
			'a lowercase code',
			{ currency: { ...USD.currency, code: 'usd' } },
			'currency value has code "usd", which is not an ISO 4217 currency code such as USD or EUR',
		],
		[
			'a fractional amount_1000',
			{ currency: { ...USD.currency, amount_1000: 12.5 } },
			'currency value has amount_1000 12.5, which is not a whole number (the amount times 1000, e.g. 12500 for 12.50)',
		],
		[
			'a currency without fallback',
			{ currency: { code: 'USD', amount_1000: 1 } },
			'currency value needs a fallback_value: the text shown where the value cannot be localized',
		],
		[
			'a date-time without fallback',
			{ date_time: { fallback_value: ' ' } },
			'date_time value needs a fallback_value: the text shown where the value cannot be localized',
		],
		[
			'fields WhatsApp does not take',
			{ date_time: { fallback_value: 'May 3', day_of_month: 3 } },
			'date_time value has day_of_month, which WhatsApp does not take (only fallback_value)',
		],
		['any other object', { amount: 12 }, 'was given an object ({"amount":12}) that is neither a currency nor a date-time value'],
		['both kinds at once', { ...USD, ...DUE }, 'that is neither a currency nor a date-time value'],
		['broken JSON text', '{"currency": {"code": "USD"', 'value "{"currency": {"code": "USD"" is not valid JSON'],
	])('%s is refused, naming the placeholder', (_, value, problem) =>
		withBackends(async (backends) => {
			const error = await refused(
				backends,
				metaTemplate('payment_due:en_US', { body_first_name: 'Ada', body_amount: '={{ $json.amount }}', body_due_date: 'soon' }),
				{ json: { amount: value } },
			);
			expect(error.message).toContain('Template "payment_due" (en_US): placeholder Body {{amount}} ');
			expect(error.message).toContain(problem);
			expect(error.fix).toContain('{ "currency": { "fallback_value": "$12.50", "code": "USD", "amount_1000": 12500 } }');
			expect(error.field).toBe('body_amount');
		}),
	);

	it('currency values are for the body only: a header placeholder still takes text', () =>
		withBackends(async (backends) => {
			const error = await refused(
				backends,
				metaTemplate('order_update:en_US', {
					header_1: '={{ $json.amount }}',
					body_1: 'Ada',
					body_2: 'A-1',
					body_3: 'Monday',
					button_0_url: 'A-1',
				}),
				{
					json: { amount: USD },
				},
			);
			expect(error.message).toContain('placeholder Header {{1}} was given an object');
			expect(error.fix).toBe('Map a text or a number, e.g. {{ $json.customer.name }}');
		}));

	it('an authentication code longer than 15 characters is refused', () =>
		withBackends(async (backends) => {
			const error = await refused(backends, metaTemplate('verify_code:en_US', { body_1: '1234567890123456' }));
			expect(error.message).toBe(
				'Template "verify_code" (en_US): one-time code "1234567890123456" is longer than the 15 characters WhatsApp allows',
			);
			expect(error.fix).toBe('Map a code of at most 15 characters to "One-Time Code {{1}}"');
		}));

	it('the code button of an authentication template takes no value of its own', () =>
		withBackends(async (backends) => {
			const error = await refused(backends, metaTemplate('verify_code:en_US', { body_1: '123456', button_0_url: '123456' }));
			expect(error.message).toBe('Template "verify_code" (en_US): has no placeholder "button_0_url", but it was given the value "123456"');
			expect(error.fix).toContain('One-Time Code {{1}}');
		}));
});
