import { CloudChannel } from '../../nodes/whatsapp/channel/cloud';
import type { HttpRequester } from '../../nodes/whatsapp/channel/http';
import type { TemplateMessage } from '../../nodes/whatsapp/message';
import { ACCESS_TOKEN, PHONE_NUMBER_ID } from '../send/fixtures';
import { BUSINESS_ACCOUNT_ID, metaTemplate, runTemplateSend, withBackends } from './fixtures';

/** A plain fetch-based requester: the Cloud channel talks to the fake over real HTTP, no n8n involved. */
const fetchRequester: HttpRequester = async (request) => {
	const url = new URL(request.url);
	for (const [key, value] of Object.entries(request.qs ?? {})) url.searchParams.set(key, String(value));
	const response = await fetch(url, {
		method: request.method,
		headers: { authorization: `Bearer ${ACCESS_TOKEN}`, 'content-type': 'application/json', ...request.headers },
		body: request.body === undefined ? undefined : JSON.stringify(request.body),
	});
	return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
};

const template = (fields: Partial<TemplateMessage>): TemplateMessage => ({
	type: 'template',
	name: 'order_update',
	language: 'en_US',
	body: [],
	buttons: [],
	...fields,
});

describe('Meta refuses template sends that do not fit the stored template', () => {
	const cases: Array<[string, TemplateMessage, number, string]> = [
		[
			'too few body values',
			template({
				header: { type: 'text', parameters: [{ text: 'A-1' }] },
				body: [{ text: 'Ada' }],
				buttons: [{ index: 0, subType: 'url', text: 'A-1' }],
			}),
			132000,
			'Give exactly one value per placeholder',
		],
		[
			'a language the template does not have',
			template({ language: 'fr' }),
			132001,
			'Pick an approved template and its exact language code',
		],
		[
			'positional values for a named template',
			template({ name: 'welcome_named', body: [{ text: 'Ada' }, { text: 'Books' }] }),
			132012,
			'Map each placeholder by its name',
		],
		[
			'an image header without its image',
			template({
				name: 'spring_sale',
				body: [{ text: 'Ada' }, { text: '20%' }],
				buttons: [{ index: 0, subType: 'copy_code', couponCode: 'X' }],
			}),
			132012,
			'Map each placeholder by its name',
		],
	];

	it.each(cases)('%s', (_, message, code, fix) =>
		withBackends(async (backends) => {
			const channel = new CloudChannel(
				{ baseUrl: backends.graph.url, apiVersion: 'v23.0', phoneNumberId: PHONE_NUMBER_ID, businessAccountId: BUSINESS_ACCOUNT_ID },
				fetchRequester,
			);
			const error = await channel.send({ to: { kind: 'person', digits: '4915123456789' }, message }).catch((failure: unknown) => failure);
			expect(error).toMatchObject({ kind: 'api', code, retryable: false });
			expect((error as { fix: string }).fix).toContain(fix);
			expect(backends.graph.accepted).toEqual([]);
		}),
	);

	it("the node reports Meta's template error as a mapped error item, sent once and never retried", () =>
		withBackends(async (backends) => {
			backends.graph.failNext({ kind: 'error', code: 132001, message: '(#132001) Template name does not exist in the translation' });
			const result = await runTemplateSend(backends, metaTemplate('hello_world:en_US'), [{ json: {} }], { continueOnFail: true });
			expect(result.items[0].json).toMatchObject({
				status: 'failed',
				template: 'hello_world',
				error: { code: 132001, retryable: false, fix: 'Pick an approved template and its exact language code from the list' },
			});
			expect(backends.graph.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
			expect(JSON.stringify(result.items)).not.toContain(ACCESS_TOKEN);
		}));
});
