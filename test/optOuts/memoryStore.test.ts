/**
 * Without a WhatsApp Redis credential the opt-out list lives in this n8n process: the trigger records into it,
 * and WhatsApp Send and WhatsApp Template Send executions in the same process skip those people.
 */
import { runSend, useBackends } from '../send/fixtures';
import { runTemplateSend } from '../templates/fixtures';
import type { TriggerUnderTest } from '../harness/webhook';
import { CUSTOMER, metaBody, metaHeaders, metaMessage, startCloudTrigger } from '../trigger/fixtures';

const backends = useBackends();
const OTHER = '4915199999999';
const segment = [{ json: { phone: `+${CUSTOMER}` } }, { json: { phone: OTHER } }];

let trigger: TriggerUnderTest;
beforeEach(async () => {
	trigger = await startCloudTrigger({ triggerOptions: { recordOptOuts: true } });
});
afterEach(async () => await trigger.close());

async function writes(text: string) {
	const raw = JSON.stringify(metaBody({ messages: [metaMessage('text', { text: { body: text } })] }));
	return (await trigger.post(raw, metaHeaders(raw))).items![0].json;
}

it('an opt-out recorded by the trigger is skipped by Send and Template Send in later executions; opt-in reverses it', async () => {
	expect((await writes('Arrêt')).optOut).toMatchObject({ action: 'opted_out', keyword: 'Arrêt' });
	const reason = 'opted out on 2024-06-03 ("Arrêt")';

	const send = await runSend(
		backends(),
		{ operation: 'sendText', recipient: '={{ $json.phone }}', text: 'Spring sale', delivery: { mode: 'direct' } },
		segment,
	);
	expect(send.items.map((item) => item.json)).toEqual([
		{ to: CUSTOMER, type: 'text', status: 'skipped', reason },
		expect.objectContaining({ to: OTHER, status: 'accepted' }),
	]);
	const templated = await runTemplateSend(
		backends(),
		{ templateSource: 'text', textTemplate: 'Spring sale', recipient: '={{ $json.phone }}' },
		segment,
	);
	expect(templated.items.map((item) => item.json)).toEqual([
		expect.objectContaining({ to: CUSTOMER, status: 'skipped', reason }),
		expect.objectContaining({ to: OTHER, status: 'accepted' }),
	]);
	expect(
		backends()
			.graph.requests.filter((request) => request.path.endsWith('/messages'))
			.map((request) => (request.body as { to: string }).to),
	).toEqual([OTHER, OTHER]);

	expect((await writes('Start')).optOut).toMatchObject({ action: 'opted_in' });
	const after = await runSend(
		backends(),
		{ operation: 'sendText', recipient: '={{ $json.phone }}', text: 'Spring sale', delivery: { mode: 'direct' } },
		segment,
	);
	expect(after.items.map((item) => item.json.status)).toEqual(['accepted', 'accepted']);
});

it('a longer text is no opt-out; activation refuses a keyword in both lists', async () => {
	expect(await writes('stop it please')).not.toHaveProperty('optOut');
	const conflicting = await startCloudTrigger({
		triggerOptions: { recordOptOuts: true, optOutKeywords: 'STOP, Fin', optInKeywords: 'START, fín' },
	});
	try {
		await expect(conflicting.activate()).rejects.toThrow('Opt-In Keywords "START, fín" has "fin", which is an opt-out keyword too');
	} finally {
		await conflicting.close();
	}
});

it('a recipient skipped as opted out counts as opted out in the campaign report', async () => {
	await writes('STOP');
	const delivery = { mode: 'direct', campaignId: 'spring-sale-opt-out' };
	const send = await runSend(
		backends(),
		{ operation: 'sendText', recipient: '={{ $json.phone }}', text: 'Spring sale', delivery },
		segment,
	);
	expect(send.items.map((item) => item.json.status)).toEqual(['skipped', 'accepted']);
	const report = await runSend(backends(), { resource: 'campaign', operation: 'get', campaignId: delivery.campaignId });
	expect(report.items[0].json).toMatchObject({ counts: { total: 2, sent: 1, skipped: 1, optedOut: 1 } });
});
