/**
 * The Opt-Out resource of WhatsApp Send through n8n's engine, with the list in process memory (no WhatsApp Redis
 * credential) and in a real Redis: add, check, remove and import change or read the list in one batch, a bad
 * number fails its own item before the list changes, list pages oldest first.
 */
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';
import { PACKAGE, runWorkflow, singleNodeWorkflow } from '../harness/engine';
import { credentialsFor, startBackends, type Backends } from '../send/fixtures';
import { redisCredentialFor, useTestRedis } from '../trigger/fixtures';

const redis = useTestRedis();

let counter = 0;
/** A number no other test of this file uses (the memory store lives as long as the file's process). */
const freshNumber = () => `4915120${String(++counter).padStart(6, '0')}`;

type Items = Array<{ json: Record<string, unknown> }>;

describe.each([
	['process memory', (): Record<string, ICredentialDataDecryptedObject> => ({})],
	['Redis', () => redisCredentialFor(redis.url())],
])('Opt-Out resource, list in %s', (_store, storeCredentials) => {
	let backends: Backends;
	let credentials: Record<string, ICredentialDataDecryptedObject>;
	beforeEach(async () => {
		backends = await startBackends();
		credentials = { ...credentialsFor(backends.graph, backends.lite), ...storeCredentials() };
	});
	afterEach(async () => await backends.close());

	async function optOuts(operation: string, items: Items, parameters: INodeParameters = {}, continueOnFail = true) {
		const workflow = singleNodeWorkflow(
			{
				name: 'Opt-Outs',
				type: `${PACKAGE}.whatsAppSend`,
				parameters: { backend: 'lite', resource: 'optOut', operation, phone: '={{ $json.phone }}', ...parameters },
				credentials: {
					whatsAppCloudApi: { id: '1', name: 'Cloud' },
					whatsAppLiteApi: { id: '2', name: 'Lite' },
					...('whatsAppRedis' in credentials && { whatsAppRedis: { id: '3', name: 'Redis' } }),
				},
				...(continueOnFail && { onError: 'continueRegularOutput' as const }),
			},
			items,
		);
		const result = await runWorkflow(workflow, credentials);
		return { error: result.error, items: result.output('Opt-Outs').map((item) => item.json) };
	}
	const people = (...phones: string[]) => phones.map((phone) => ({ json: { phone } }));

	it('add, check and remove: one item per person; a bad number fails its own item', async () => {
		const [ada, ben, cal] = [freshNumber(), freshNumber(), freshNumber()];
		const added = await optOuts('add', people(`+${ada}`, '+49 151', `00${ben}`), { note: 'Unsubscribed on the website' });
		expect(added.items).toEqual([
			{ phone: ada, optedOut: true, action: 'opted_out', at: expect.any(String), source: 'manual', note: 'Unsubscribed on the website' },
			{
				status: 'failed',
				error: expect.objectContaining({
					message: 'Phone Number "+49 151" is too short (5 digits, at least 7 with the country code)',
					kind: 'validation',
				}),
			},
			{ phone: ben, optedOut: true, action: 'opted_out', at: expect.any(String), source: 'manual', note: 'Unsubscribed on the website' },
		]);
		const again = await optOuts('add', people(ada));
		expect(again.items[0]).toMatchObject({ action: 'already_opted_out', at: added.items[0].at, note: 'Unsubscribed on the website' });

		expect((await optOuts('check', people(ada, ben, cal))).items).toEqual([
			expect.objectContaining({ phone: ada, optedOut: true, source: 'manual' }),
			expect.objectContaining({ phone: ben, optedOut: true }),
			{ phone: cal, optedOut: false },
		]);
		expect((await optOuts('remove', people(ada, cal))).items).toEqual([
			{ phone: ada, optedOut: false, action: 'opted_in' },
			{ phone: cal, optedOut: false, action: 'was_not_opted_out' },
		]);
		expect((await optOuts('check', people(ada, ben))).items.map((item) => item.optedOut)).toEqual([false, true]);
	});

	it('without Continue On Fail a bad number stops the node, naming its item, before the list changes', async () => {
		const ada = freshNumber();
		const run = await optOuts('add', people(ada, 'not a number'), {}, false);
		expect(run.error).toMatchObject({
			message:
				'Phone Number "not a number" is not a phone number (only digits, spaces, dots, dashes, parentheses and a leading + or 00 are allowed)',
			context: { itemIndex: 1 },
		});
		expect((await optOuts('check', people(ada))).items).toEqual([{ phone: ada, optedOut: false }]);
	});

	it('import: each input item is one person, with the date it opted out; a bad date fails its item', async () => {
		const [ada, ben, cal] = [freshNumber(), freshNumber(), freshNumber()];
		const rows = [
			{ json: { mobile: `+${ada}`, unsubscribedAt: '2001-02-03T04:05:06Z' } },
			{ json: { mobile: ben, unsubscribedAt: 'last tuesday' } },
			{ json: { mobile: cal } },
		];
		const imported = await optOuts('import', rows, { phoneField: 'mobile', dateField: 'unsubscribedAt' });
		expect(imported.items).toEqual([
			{ phone: ada, optedOut: true, action: 'opted_out', at: '2001-02-03T04:05:06.000Z', source: 'import' },
			{ status: 'failed', error: expect.objectContaining({ message: 'Opted Out At Field "unsubscribedAt" "last tuesday" is not a date' }) },
			{ phone: cal, optedOut: true, action: 'opted_out', at: expect.any(String), source: 'import' },
		]);
		const missing = await optOuts('import', [{ json: { phone: ada } }, { json: { name: 'no number' } }], {}, false);
		expect(missing.error).toMatchObject({ message: expect.stringContaining('Phone Field "phone"'), context: { itemIndex: 1 } });
	});

	it('list: oldest opt-out first, page by page', async () => {
		const oldest = [freshNumber(), freshNumber(), freshNumber()];
		await optOuts(
			'import',
			oldest.map((phone, index) => ({ json: { phone, at: `1990-01-0${index + 1}T00:00:00Z` } })),
			{ dateField: 'at' },
		);
		const firstPage = await optOuts('list', [{ json: {} }], { limit: 2 });
		expect(firstPage.items).toEqual([
			{ phone: oldest[0], at: '1990-01-01T00:00:00.000Z', source: 'import' },
			{ phone: oldest[1], at: '1990-01-02T00:00:00.000Z', source: 'import' },
		]);
		expect((await optOuts('list', [{ json: {} }], { limit: 2, offset: 2 })).items[0]).toMatchObject({ phone: oldest[2] });
		const all = await optOuts('list', [{ json: {} }], { returnAll: true });
		expect(all.items.slice(0, 3).map((item) => item.phone)).toEqual(oldest);
		// Lists are per business number: the Cloud number's list is another one.
		expect((await optOuts('list', [{ json: {} }], { backend: 'cloud', returnAll: true })).items.map((item) => item.phone)).not.toContain(
			oldest[0],
		);
	});
});
