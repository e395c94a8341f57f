import { metaTemplate, refused, runTemplateSend, withBackends, writes } from './fixtures';

const complete = { header_1: 'A-1', body_1: 'Ada', body_2: 'A-1', body_3: 'Monday', button_0_url: 'A-1' };

describe('template checks before any request', () => {
	it('a placeholder without a value names the template, the placeholder and the fix', () =>
		withBackends(async (backends) => {
			const { body_2: _, ...missing } = complete;
			const error = await refused(backends, metaTemplate('order_update:en_US', missing));
			expect(error.message).toBe('Template "order_update" (en_US): placeholder Body {{2}} has no value');
			expect(error.fix).toContain('Map a value to "Body {{2}}" under Template Parameters');
			expect(error).toMatchObject({ kind: 'validation', field: 'body_2' });
		}));

	it('an expression that resolves to nothing counts as missing', () =>
		withBackends(async (backends) => {
			const error = await refused(backends, metaTemplate('order_update:en_US', { ...complete, body_1: '={{ $json.name }}' }));
			expect(error.message).toContain('Body {{1}} has no value');
		}));

	it('a value for a placeholder the template does not have is an extra value', () =>
		withBackends(async (backends) => {
			const error = await refused(backends, metaTemplate('order_update:en_US', { ...complete, body_4: 'extra' }));
			expect(error.message).toBe('Template "order_update" (en_US): has no placeholder "body_4", but it was given the value "extra"');
			expect(error.fix).toContain('Header {{1}}, Body {{1}}, Body {{2}}, Body {{3}}, Button 1 URL Suffix');
		}));

	it('numbered values for a named template, and named values for a numbered one, are called what they are', () =>
		withBackends(async (backends) => {
			const named = await refused(
				backends,
				metaTemplate('welcome_named:en_US', { body_first_name: 'Ada', body_shop_name: 'Books', body_1: 'Ada' }),
			);
			expect(named.message).toBe(
				'Template "welcome_named" (en_US): uses named placeholders, but a value was given for the numbered placeholder {{1}} in the body',
			);
			expect(named.fix).toContain('Body {{first_name}}, Body {{shop_name}}');
			const numbered = await refused(backends, metaTemplate('order_update:en_US', { ...complete, body_first_name: 'Ada' }));
			expect(numbered.message).toBe(
				'Template "order_update" (en_US): uses numbered placeholders, but a value was given for the named placeholder {{first_name}} in the body',
			);
		}));

	it('a media header without its media, and media for a template without a media header', () =>
		withBackends(async (backends) => {
			const noMedia = await refused(
				backends,
				metaTemplate('spring_sale:en_US', { body_1: 'Ada', body_2: '20%', button_0_code: 'SPRING20' }),
			);
			expect(noMedia.message).toBe('Template "spring_sale" (en_US): has an image header, but no image was given');
			expect(noMedia.fix).toContain('"Header Image"');
			const extraMedia = await refused(
				backends,
				metaTemplate('order_update:en_US', { ...complete, media_header: 'https://cdn.example.com/a.jpg' }),
			);
			expect(extraMedia.message).toContain('has no placeholder "media_header"');
		}));

	it('a header media value that is no link, media ID or binary field of the item', () =>
		withBackends(async (backends) => {
			const error = await refused(backends, metaTemplate('product_video:en_US', { body_1: 'Ada', media_header: 'video' }));
			expect(error.message).toBe('Header Media "video" is neither an http(s) link, a media ID (digits) nor a binary field of this item');
		}));

	it('a missing URL suffix or coupon code', () =>
		withBackends(async (backends) => {
			const { button_0_url: _, ...noSuffix } = complete;
			expect((await refused(backends, metaTemplate('order_update:en_US', noSuffix))).message).toContain('Button 1 URL Suffix has no value');
			const noCode = await refused(
				backends,
				metaTemplate('spring_sale:en_US', { media_header: 'https://cdn.example.com/a.jpg', body_1: 'Ada', body_2: '20%' }),
			);
			expect(noCode.message).toContain('Button 1 Coupon Code has no value');
		}));

	it('a value with a line break, which WhatsApp refuses in parameters', () =>
		withBackends(async (backends) => {
			const error = await refused(backends, metaTemplate('order_update:en_US', { ...complete, body_1: 'Ada\nLovelace' }));
			expect(error.message).toContain('has a line break, a tab or more than four spaces in a row');
		}));

	it('a template that is not approved, that does not exist, or not in that language', () =>
		withBackends(async (backends) => {
			const pending = await refused(backends, metaTemplate('black_friday:en_US', { body_1: '50%' }));
			expect(pending).toMatchObject({
				message: 'The template "black_friday" (en_US) is PENDING: WhatsApp sends only approved templates',
				fix: 'Wait until Meta has reviewed it, or pick an approved template',
			});
			expect((await refused(backends, metaTemplate('no_such_template:en_US'))).message).toBe(
				'Template "no_such_template:en_US" does not exist in this WhatsApp Business Account',
			);
			const language = await refused(backends, metaTemplate('order_update:fr'));
			expect(language.message).toBe('Template "order_update:fr" does not exist in fr; order_update exists in en_US, de');
			expect(language.fix).toBe('Use one of those language codes, e.g. order_update:en_US');
			expect((await refused(backends, metaTemplate('order update'))).message).toBe(
				'Template "order update" is not a template name and language code',
			);
		}));

	it('on the Lite container a Meta template is a capability error, with no request to either backend', () =>
		withBackends(async (backends) => {
			const error = await refused(backends, { backend: 'lite', ...metaTemplate('hello_world:en_US') });
			expect(error).toMatchObject({ kind: 'capability', message: 'The Lite container cannot send Meta template messages' });
			expect(error.fix).toContain('set Template Source to "Text Template"');
			expect([...backends.graph.requests, ...backends.lite.requests]).toEqual([]);
		}));

	it('without continueOnFail one bad item stops the node before anything is sent, even for the good items', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(backends, metaTemplate('order_update:en_US', { ...complete, body_1: '={{ $json.name }}' }), [
				{ json: { name: 'Ada' } },
				{ json: {} },
			]);
			expect(result.error?.message).toContain('Body {{1}} has no value');
			expect(writes(backends)).toEqual([]);
		}));

	it('with continueOnFail the good items are sent and the bad one becomes an error item, each paired with its input', () =>
		withBackends(async (backends) => {
			const items = [
				{ json: { name: 'Ada', phone: '+4915123450001' } },
				{ json: { phone: '+4915123450002' } },
				{ json: { name: 'Grace', phone: '+4915123450003' } },
			];
			const result = await runTemplateSend(
				backends,
				{ ...metaTemplate('order_update:en_US', { ...complete, body_1: '={{ $json.name }}' }), recipient: '={{ $json.phone }}' },
				items,
				{ continueOnFail: true },
			);
			expect(result.items.map((item) => [item.json.status, item.pairedItem])).toEqual([
				['accepted', { item: 0 }],
				['failed', { item: 1 }],
				['accepted', { item: 2 }],
			]);
			expect(backends.graph.accepted.map((sent) => sent.to)).toEqual(['4915123450001', '4915123450003']);
		}));
});
