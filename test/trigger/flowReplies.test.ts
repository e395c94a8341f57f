import type { TriggerUnderTest } from '../harness/webhook';
import { metaBody, metaHeaders, metaMessage, startCloudTrigger, wamid } from './fixtures';

/** A Flow's answers as Meta sends them: `interactive.nfm_reply` with `response_json`, a JSON text. */
const nfmReply = (responseJson: string, context = { from: '15550100000', id: wamid() }) =>
	metaMessage('interactive', {
		interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: responseJson } },
		context,
	});

let trigger: TriggerUnderTest;
beforeAll(async () => {
	trigger = await startCloudTrigger();
});
afterAll(async () => await trigger.close());

async function onlyItem(message: object) {
	const raw = JSON.stringify(metaBody({ messages: [message] }));
	const call = await trigger.post(raw, metaHeaders(raw));
	expect(call.status).toBe(200);
	expect(call.items).toHaveLength(1);
	return call.items![0].json;
}

describe("Cloud API: a WhatsApp Flow's answers (nfm_reply)", () => {
	it('become a plain object of the answers, with the flow token apart, and the message it answers', async () => {
		const context = { from: '15550100000', id: wamid() };
		const json = await onlyItem(
			nfmReply(JSON.stringify({ flow_token: 'visit-7', date: '2026-12-24', slot: '09:00', party_size: 2, extras: ['parking'] }), context),
		);
		expect(json).toMatchObject({
			event: 'message',
			type: 'interactive',
			text: 'Sent',
			replyTo: context.id,
			flow: { token: 'visit-7', name: 'flow', answers: { date: '2026-12-24', slot: '09:00', party_size: 2, extras: ['parking'] } },
		});
		expect(json.interactive).toBeUndefined();
	});

	it('keep a response_json that is not a JSON object as raw text, with no answers', async () => {
		const json = await onlyItem(nfmReply('not json {'));
		expect(json.flow).toEqual({ name: 'flow', answers: {}, raw: 'not json {' });
	});
});
