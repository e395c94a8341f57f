import { TEMPLATES } from '../fakes/graphTemplates';
import { metaTemplate, refused, runTemplateSend, withBackends, writes } from './fixtures';

/**
 * Template Send's Use Marketing Messages API option (docs/cloud-api.md, "Marketing Messages API"): marketing
 * templates go to `POST /<phone-number-id>/marketing_messages` with the body of any template send; others stay on
 * /messages; Meta's 131055 there (nothing sent) falls back once to /messages. Each result item says which carried it.
 */

const WELCOME = metaTemplate('welcome_named:en_US', { body_first_name: '={{ $json.name }}', body_shop_name: 'Lovelace Books' });
const MARKETING = { ...WELCOME, marketingMessages: true };

const welcomeBody = (to: string, name: string) => ({
	messaging_product: 'whatsapp',
	recipient_type: 'individual',
	to,
	type: 'template',
	template: {
		name: 'welcome_named',
		language: { code: 'en_US' },
		components: [
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: name, parameter_name: 'first_name' },
					{ type: 'text', text: 'Lovelace Books', parameter_name: 'shop_name' },
				],
			},
		],
	},
});

/** The POSTs Meta got, as `endpoint recipient`. */
const posts = (backends: Parameters<typeof writes>[0]) =>
	writes(backends).map((request) => `${request.path.split('/').at(-1)} ${(request.body as { to: string }).to}`);

const recipientsOf = (names: string[]) => names.map((name, index) => ({ json: { name, phone: `49151234567${index}` } }));
const toEach = { recipient: '={{ $json.phone }}' };

describe('Template Send through the Marketing Messages API', () => {
	it('sends a marketing template to /marketing_messages with the body of a normal template send, and says so', () =>
		withBackends(
			async (backends) => {
				const result = await runTemplateSend(backends, MARKETING, [{ json: { name: 'Ada' } }]);
				expect(result.error).toBeUndefined();
				expect(posts(backends)).toEqual(['marketing_messages 4915123456789']);
				expect(backends.graph.accepted.map(({ endpoint, body }) => ({ endpoint, body }))).toEqual([
					{ endpoint: 'marketing_messages', body: welcomeBody('4915123456789', 'Ada') },
				]);
				expect(result.items[0].json).toMatchObject({
					status: 'accepted',
					endpoint: 'marketing_messages',
					timeToLive: "30 days (Meta's default; a TTL set on the template in WhatsApp Manager wins)",
				});
				expect(result.items[0].json.endpointReason).toBeUndefined();
			},
			{ marketingMessagesTermsAccepted: true },
		));

	it("shows the template's own time-to-live where Meta's listing carries it", () => {
		const templates = structuredClone(TEMPLATES);
		templates.find((template) => template.name === 'welcome_named')!.message_send_ttl_seconds = 2 * 86400;
		return withBackends(
			async (backends) => {
				const result = await runTemplateSend(backends, MARKETING, [{ json: { name: 'Ada' } }]);
				expect(result.items[0].json).toMatchObject({ endpoint: 'marketing_messages', timeToLive: '2 days (set on the template)' });
			},
			{ marketingMessagesTermsAccepted: true, templates },
		);
	});

	it('falls back once to /messages on 131055 (terms not accepted); later sends of the template go straight there, each sent once', () =>
		withBackends(async (backends) => {
			const result = await runTemplateSend(backends, { ...MARKETING, ...toEach }, recipientsOf(['Ada', 'Grace', 'Alan']));
			expect(result.error).toBeUndefined();
			expect(posts(backends)).toEqual([
				'marketing_messages 491512345670',
				'messages 491512345670',
				'messages 491512345671',
				'messages 491512345672',
			]);
			expect(backends.graph.accepted.map(({ to, endpoint, body }) => ({ to, endpoint, body }))).toEqual(
				['Ada', 'Grace', 'Alan'].map((name, index) => ({
					to: `49151234567${index}`,
					endpoint: 'messages',
					body: welcomeBody(`49151234567${index}`, name),
				})),
			);
			const reason =
				'the Marketing Messages API refused it ((#200) You must accept the Marketing Messages Lite API terms to use the API.), which sends nothing, ' +
				'so it went through /messages; accept the Marketing Messages API terms in WhatsApp Manager to use it';
			expect(result.items.map((item) => [item.json.status, item.json.endpoint, item.json.endpointReason])).toEqual(
				Array(3).fill(['accepted', 'messages', reason]),
			);
		}));

	it('keeps a campaign once per recipient across the fallback: run again, nobody is sent twice', () =>
		withBackends(async (backends) => {
			const campaign = { ...MARKETING, ...toEach, delivery: { campaignId: 'mm-fallback-once' } };
			const first = await runTemplateSend(backends, campaign, recipientsOf(['Ada', 'Grace']));
			expect(first.items.map((item) => item.json.status)).toEqual(['accepted', 'accepted']);
			const again = await runTemplateSend(backends, campaign, recipientsOf(['Ada', 'Grace', 'Alan']));
			expect(again.items.map((item) => item.json.status)).toEqual(['skipped', 'skipped', 'accepted']);
			expect(backends.graph.accepted.map((sent) => sent.to)).toEqual(['491512345670', '491512345671', '491512345672']);
		}));

	it('sends a template of another category through /messages, saying why', () =>
		withBackends(
			async (backends) => {
				const result = await runTemplateSend(backends, { ...metaTemplate('hello_world:en_US'), marketingMessages: true });
				expect(posts(backends)).toEqual(['messages 4915123456789']);
				expect(result.items[0].json).toMatchObject({
					status: 'accepted',
					endpoint: 'messages',
					endpointReason: "the template's category is UTILITY: the Marketing Messages API takes marketing templates only",
				});
				expect(result.items[0].json.timeToLive).toBeUndefined();
			},
			{ marketingMessagesTermsAccepted: true },
		));

	it('leaves sends without the option as they were: /messages, no endpoint in the item', () =>
		withBackends(
			async (backends) => {
				const result = await runTemplateSend(backends, WELCOME, [{ json: { name: 'Ada' } }]);
				expect(posts(backends)).toEqual(['messages 4915123456789']);
				expect(result.items[0].json).not.toHaveProperty('endpoint');
			},
			{ marketingMessagesTermsAccepted: true },
		));

	it("does not fall back on Meta's other refusals there: the item fails with Meta's error", () =>
		withBackends(
			async (backends) => {
				backends.graph.failNext({
					kind: 'error',
					code: 131049,
					message: '(#131049) This message was not delivered to maintain healthy ecosystem engagement.',
				});
				const result = await runTemplateSend(backends, MARKETING, [{ json: { name: 'Ada' } }], { continueOnFail: true });
				expect(posts(backends)).toEqual(['marketing_messages 4915123456789']);
				expect(result.items[0].json).toMatchObject({ status: 'failed', error: { code: 131049 } });
			},
			{ marketingMessagesTermsAccepted: true },
		));

	it('refuses an option value that is not true or false, naming it, before any request', () =>
		withBackends(async (backends) => {
			const error = await refused(backends, { ...WELCOME, marketingMessages: '={{ "maybe" }}' }, { json: { name: 'Ada' } });
			expect(error.message).toBe('Use Marketing Messages API "maybe" is not true or false');
			expect(error.fix).toBe('Turn it on or off, or make its expression give a boolean');
		}));

	it('checks the template locally first: a missing value sends nothing to either endpoint', () =>
		withBackends(async (backends) => {
			const error = await refused(backends, {
				...metaTemplate('welcome_named:en_US', { body_shop_name: 'Books' }),
				marketingMessages: true,
			});
			expect(error.message).toMatch(/first_name/);
		}));
});
