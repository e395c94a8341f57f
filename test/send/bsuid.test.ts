/**
 * Sending to business-scoped user IDs (docs/cloud-api.md, "Contact identities"): a BSUID goes out as Meta's
 * `recipient`, a phone as `to`, both together follow Meta's rule (`to` wins) and the item says which was used;
 * 131062 is explained; what cannot reach a BSUID is refused per item before anything is sent.
 */
import { metaTemplate, refused, runTemplateSend, withBackends } from '../templates/fixtures';
import { messageBodies, runSend, TO, useBackends } from './fixtures';

const BSUID = 'DE.13491208655302741918';
const backends = useBackends();

describe('WhatsApp Send to a BSUID', () => {
	it('sends a BSUID as recipient (no to) and keeps the user_id Meta answers', async () => {
		const run = await runSend(backends(), { operation: 'sendText', recipient: ` ${BSUID} `, text: 'Hi!' });
		expect(messageBodies(backends().graph)).toEqual([
			{
				messaging_product: 'whatsapp',
				recipient_type: 'individual',
				recipient: BSUID,
				type: 'text',
				text: { body: 'Hi!', preview_url: false },
			},
		]);
		expect(run.items[0].json).toMatchObject({ to: BSUID, sentTo: 'userId', userId: BSUID, waId: BSUID, status: 'accepted' });
	});

	it('with a phone and a Recipient BSUID, Meta sends to the phone (to wins) and the item says so', async () => {
		const run = await runSend(backends(), {
			operation: 'sendText',
			recipient: '+49 151 23456789',
			text: 'Hi!',
			options: { recipientUserId: BSUID },
		});
		expect(messageBodies(backends().graph)[0]).toMatchObject({ to: TO, recipient: BSUID });
		expect(run.items[0].json).toMatchObject({ to: TO, sentTo: 'phone', userId: BSUID, waId: TO, status: 'accepted' });
	});

	it.each([
		['a malformed BSUID in Recipient', { recipient: 'DE.1349-1208' }, 'Recipient', /is not a business-scoped user ID/],
		[
			'a malformed Recipient BSUID',
			{ recipient: '+49 151 23456789', options: { recipientUserId: 'de1349' } },
			'Recipient BSUID',
			/is not a business-scoped user ID/,
		],
	])('%s is refused per item with the field, the value and the fix; nothing is sent', async (_case, parameters, field, problem) => {
		const run = await runSend(backends(), { operation: 'sendText', text: 'Hi!', ...parameters }, [{ json: {} }], { continueOnFail: true });
		expect(messageBodies(backends().graph)).toEqual([]);
		const error = run.items[0].json.error as Record<string, string>;
		expect(error).toMatchObject({ kind: 'validation', field, fix: expect.stringContaining('US.13491208655302741918') });
		expect(error.message).toMatch(problem);
	});

	it('Lite refuses a BSUID per item and sends nothing, the other items go out', async () => {
		const run = await runSend(
			backends(),
			{ backend: 'lite', operation: 'sendText', recipient: '={{ $json.to }}', text: 'Hi!', delivery: { mode: 'direct' } },
			[{ json: { to: BSUID } }, { json: { to: '+49 151 23456789' } }],
			{ continueOnFail: true },
		);
		expect(run.items[0].json).toMatchObject({ to: BSUID, status: 'failed', error: { kind: 'capability', field: 'Recipient' } });
		expect((run.items[0].json.error as Record<string, string>).fix).toMatch(/phone number/);
		expect(run.items[1].json).toMatchObject({ to: TO, status: 'accepted' });
		expect(backends().lite.sent.map((sent) => sent.number)).toEqual([TO]);
	});
});

describe('Template Send to a BSUID', () => {
	it('refuses an authentication template for a BSUID locally, before any send', async () => {
		await withBackends(async (templateBackends) => {
			const error = await refused(templateBackends, { ...metaTemplate('verify_code:en_US', { body_1: '123456' }), recipient: BSUID });
			expect(error).toMatchObject({ kind: 'validation', field: 'Recipient' });
			expect(error.description).toMatch(/131062/);
			expect(error.fix).toMatch(/phone number/);
		});
	});

	it('shows the Request Contact Info button of a template and sends it to a BSUID (the button takes no value)', async () => {
		await withBackends(async (templateBackends) => {
			const template = { ...metaTemplate('share_phone:en_US', { body_1: 'Kerry' }), recipient: BSUID };
			const preview = await runTemplateSend(templateBackends, { ...template, operation: 'preview' });
			expect(preview.items[0].json.renderedText).toBe(
				'Hi Kerry, share your phone number so that we can call you about your order.\n\n[Share phone number]',
			);
			const sent = await runTemplateSend(templateBackends, template);
			expect(sent.items[0].json).toMatchObject({ to: BSUID, sentTo: 'userId', status: 'accepted' });
			expect(templateBackends.graph.accepted[0].body).toMatchObject({
				recipient: BSUID,
				template: { name: 'share_phone', components: [{ type: 'body', parameters: [{ type: 'text', text: 'Kerry' }] }] },
			});
		});
	});

	it('sends a utility template to a BSUID as recipient', async () => {
		await withBackends(async (templateBackends) => {
			const run = await runTemplateSend(templateBackends, { ...metaTemplate('hello_world:en_US'), recipient: BSUID });
			expect(run.items[0].json).toMatchObject({ to: BSUID, sentTo: 'userId', status: 'accepted' });
			expect(templateBackends.graph.accepted[0]).toMatchObject({ to: BSUID, body: { recipient: BSUID } });
		});
	});
});

test("Meta's 131062 becomes a per-item error naming the fix: the phone number, or a Request Contact Info template", async () => {
	backends().graph.failNext({
		kind: 'error',
		code: 131062,
		message: '(#131062) Business-scoped User ID recipients are not supported for this message.',
	});
	const run = await runSend(backends(), { operation: 'sendText', recipient: BSUID, text: 'Hi' }, [{ json: {} }], { continueOnFail: true });
	expect(run.items[0].json).toMatchObject({ to: BSUID, status: 'failed', error: { code: 131062, retryable: false, kind: 'api' } });
	const error = run.items[0].json.error as Record<string, string>;
	expect(error.message).toMatch(/business-scoped user ID/);
	expect(error.fix).toMatch(/phone number.*Request Contact Info/);
	expect(backends().graph.accepted).toEqual([]);
});
