import type { INodeParameters, ResourceMapperFields } from 'n8n-workflow';
import { listSearch, resourceMapping } from '../../nodes/WhatsAppTemplateSend/methods';
import { loadOptionsContext, templateListings, withBackends } from './fixtures';

const template = (value: string) => ({ templateSource: 'meta', template: { __rl: true, mode: 'list', value } });

describe('template list and placeholder columns through n8n-core LoadOptionsContext', () => {
	it('lists approved templates from every page, with language, category and status', () =>
		withBackends(async (backends) => {
			const { results } = await listSearch.searchTemplates.call(loadOptionsContext(backends, template('')));
			expect(templateListings(backends)).toHaveLength(5);
			expect(templateListings(backends)[0].headers.authorization).toBe('Bearer EAAG-test-secret-token-do-not-leak');
			expect(results.map((result) => result.value)).toEqual([
				'appointment_named:en_GB',
				'book_visit:en_US',
				'flash_offer:en_US',
				'hello_world:en_US',
				'invoice_ready:en_US',
				'order_update:de',
				'order_update:en_US',
				'payment_due:en_US',
				'product_video:en_US',
				'share_phone:en_US',
				'spring_sale:en_US',
				'store_pickup:en_US',
				'summer_picks:en_US',
				'verify_code:de',
				'verify_code:en_US',
				'verify_one_tap:en_US',
				'welcome_named:en_US',
			]);
			expect(results.find((result) => result.value === 'welcome_named:en_US')?.name).toBe('welcome_named (en_US) · Marketing');
		}));

	it('shows non-approved templates with their status when asked, and filters by the search text', () =>
		withBackends(async (backends) => {
			const context = loadOptionsContext(backends, { ...template(''), listNonApproved: true });
			const { results } = await listSearch.searchTemplates.call(context, 'o');
			expect(results.map((result) => result.name)).toEqual(
				expect.arrayContaining(['old_promo (en_US) · Marketing · Rejected', 'paused_offer (en_US) · Marketing · Paused']),
			);
			const { results: filtered } = await listSearch.searchTemplates.call(context, 'ORDER');
			expect(filtered.map((result) => result.value)).toEqual(['order_update:de', 'order_update:en_US']);
		}));

	it('says what to do when the credential has no WhatsApp Business Account ID', () =>
		withBackends(async (backends) => {
			const context = loadOptionsContext(backends, template(''), { businessAccountId: '' });
			await expect(listSearch.searchTemplates.call(context)).rejects.toThrow(
				'WhatsApp Business Account ID "" is empty in the WhatsApp Cloud API credential',
			);
			expect(backends.graph.requests).toEqual([]);
		}));

	it("offers one column per placeholder of the chosen template, by a short name n8n 2.x shows whole, with Meta's example where it fits", () =>
		withBackends(async (backends) => {
			const columns = async (value: string) =>
				(
					(await resourceMapping.getTemplatePlaceholders.call(loadOptionsContext(backends, template(value)))) as ResourceMapperFields
				).fields.map((field) => [field.id, field.displayName, field.required]);
			expect(await columns('order_update:en_US')).toEqual([
				['header_1', 'Header {{1}}', true],
				['body_1', 'Body {{1}} · e.g. Ada', true],
				['body_2', 'Body {{2}}', true],
				['body_3', 'Body {{3}}', true],
				['button_0_url', 'Button 1 URL Suffix', true],
				['button_1_payload', 'Button 2 Payload', false],
			]);
			expect(await columns('spring_sale:en_US')).toEqual([
				['media_header', 'Header Image', true],
				['body_1', 'Body {{1}} · e.g. Ada', true],
				['body_2', 'Body {{2}} · e.g. 20%', true],
				['button_0_code', 'Button 1 Coupon Code', true],
			]);
			expect((await columns('welcome_named:en_US')).slice(0, 2)).toEqual([
				['body_first_name', 'Body {{first_name}}', true],
				['body_shop_name', 'Body {{shop_name}}', true],
			]);
			expect(await columns('invoice_ready:en_US')).toEqual([
				['media_header', 'Header Document', true],
				['media_header_filename', 'Header File Name', false],
				['body_invoice_number', 'Body {{invoice_number}}', true],
				['body_amount', 'Body {{amount}}', true],
			]);
			expect(await columns('store_pickup:en_US')).toEqual([
				['location_latitude', 'Location Latitude', true],
				['location_longitude', 'Location Longitude', true],
				['location_name', 'Location Name', false],
				['location_address', 'Location Address', false],
				['body_1', 'Body {{1}} · e.g. Ada', true],
			]);
			// The code is mapped once: the copy-code button takes the body's code.
			expect(await columns('verify_code:en_US')).toEqual([['body_1', 'One-Time Code {{1}}', true]]);
			expect(await columns('verify_code:de')).toEqual([['body_1', 'One-Time Code {{1}}', true]]);
			for (const value of ['order_update:en_US', 'spring_sale:en_US', 'welcome_named:en_US', 'invoice_ready:en_US', 'store_pickup:en_US'])
				for (const [, label] of await columns(value)) expect((label as string).length).toBeLessThanOrEqual(23);
			expect(await columns('={{ $json.template }}')).toEqual([]);
			expect(await columns('')).toEqual([]);
		}));

	it("says why placeholders cannot load in the mapper's notice instead of failing the editor's request", () =>
		withBackends(async (backends) => {
			const notice = async (parameters: INodeParameters, credentials?: Record<string, unknown>) => {
				const answer = (await resourceMapping.getTemplatePlaceholders.call(
					loadOptionsContext(backends, parameters, credentials),
				)) as ResourceMapperFields;
				expect(answer.fields).toEqual([]);
				return answer.emptyFieldsNotice;
			};
			expect(await notice(template('no_such_template:en_US'))).toBe(
				'⚠ Template "no_such_template:en_US" does not exist in this WhatsApp Business Account. Pick a template from the list (names are lowercase with underscores)',
			);
			expect(await notice(template('order_update:en_US'), { businessAccountId: '' })).toMatch(
				/^⚠ WhatsApp Business Account ID "" is empty in the WhatsApp Cloud API credential, so the templates cannot be listed\. Enter the WABA ID/,
			);
			expect(await notice(template('hello_world:en_US'))).toBe('This template has no placeholders: it is sent as it is');
			expect(await notice(template(''))).toBe('Pick a template above: its placeholders then show here');
			expect(await notice(template('={{ $json.template }}'))).toMatch(/^The template comes from an expression/);
		}));
});
