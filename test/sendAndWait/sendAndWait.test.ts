import type { ICredentialDataDecryptedObject, IRun } from 'n8n-workflow';
import { randomUUID } from 'node:crypto';
import { processMemoryStore } from '../../nodes/whatsapp/store/memory';
import { metaWebhookBody } from '../fakes/metaWebhook';
import { type WaitingHost, startWaitingHost } from '../harness/waiting';
import type { TriggerUnderTest } from '../harness/webhook';
import { useBackends } from '../send/fixtures';
import {
	liteEvent,
	liteHeaders,
	liteMessage,
	PHONE_NUMBER_ID,
	metaHeaders,
	metaMessage,
	startCloudTrigger,
	startLiteTrigger,
	wamid,
} from '../trigger/fixtures';
import { askWorkflow, sendCredentials } from './fixtures';

const backends = useBackends();
let host: WaitingHost;
const triggers: TriggerUnderTest[] = [];

beforeEach(async () => {
	host = await startWaitingHost(sendCredentials(backends()));
});
afterEach(async () => {
	await Promise.all(triggers.splice(0).map((trigger) => trigger.close()));
	await host.close();
});

/** Someone no other test asked: the process's open questions outlive a test (as they outlive an execution). */
let people = 0;
let asked = '';
beforeEach(() => {
	asked = `4916${String(Date.now() % 1e6).padStart(6, '0')}${String(++people).padStart(3, '0')}`;
});
const ask = (parameters: Record<string, unknown>) => askWorkflow({ recipient: `+${asked}`, ...parameters });

const askOutput = (run: IRun) => run.data.resultData.runData.Ask?.at(-1)?.data?.main?.[0] ?? [];

async function cloudTrigger(credentials: Record<string, ICredentialDataDecryptedObject> = {}) {
	const trigger = await startCloudTrigger({}, credentials);
	triggers.push(trigger);
	return trigger;
}

async function liteTrigger() {
	const trigger = await startLiteTrigger();
	triggers.push(trigger);
	return trigger;
}

/** A Cloud reply: the tapped button (its ID and title) or a typed text, from the asked person. */
function cloudReply(reply: { buttonId: string; title: string } | { text: string }, id = wamid()) {
	const message =
		'buttonId' in reply
			? metaMessage(
					'interactive',
					{ interactive: { type: 'button_reply', button_reply: { id: reply.buttonId, title: reply.title } } },
					{ id, from: asked },
				)
			: metaMessage('text', { text: { body: reply.text } }, { id, from: asked });
	return JSON.stringify(
		metaWebhookBody({ contacts: [{ profile: { name: 'Kerry Fisher' }, wa_id: asked }], messages: [message] }, PHONE_NUMBER_ID),
	);
}

function liteReply(body: string, id?: string) {
	return JSON.stringify(liteEvent('message', liteMessage({ body, from: asked, chatId: `${asked}@c.us` }), id));
}

describe('Send and Wait for Response on the Cloud API', () => {
	it('sends reply buttons, waits, and resumes exactly once with the tapped choice when the trigger receives it', async () => {
		const { graph } = backends();
		const trigger = await cloudTrigger();
		const other = await cloudTrigger();
		const { executionId, run } = await host.start(
			ask({
				backend: 'cloud',
				choices: {
					choice: [
						{ text: 'Approve', id: 'approve' },
						{ text: 'Decline', id: 'decline' },
					],
				},
			}),
		);
		expect(run.data.resultData.error).toBeUndefined();
		expect(host.status(executionId)).toBe('waiting');
		expect(graph.accepted).toHaveLength(1);
		const sent = graph.accepted[0];
		expect(sent.type).toBe('interactive');
		const buttons = (sent.body.interactive as { action: { buttons: Array<{ reply: { id: string; title: string } }> } }).action.buttons;
		expect(buttons.map((button) => button.reply.title)).toEqual(['Approve', 'Decline']);
		const waitingItem = askOutput(run)[0].json;
		expect(waitingItem.messageId).toBe(sent.id);

		const reply = cloudReply({ buttonId: buttons[1].reply.id, title: 'Decline' });
		const answered = await trigger.post(reply, metaHeaders(reply));
		expect(answered.status).toBe(200);
		expect(answered.items).toBeUndefined();
		const finished = await host.finished(executionId);
		expect(finished.data.resultData.error).toBeUndefined();
		const answer = askOutput(finished)[0].json;
		expect(answer).toMatchObject({
			answered: true,
			timedOut: false,
			choice: { id: 'decline', text: 'Decline' },
			from: asked,
			questionMessageId: sent.id,
			backend: 'cloud',
		});
		expect(typeof answer.answeredAt).toBe('string');

		// Redelivered to the same trigger, and seen by another trigger on the number: neither resumes nor starts anything.
		const again = await trigger.post(reply, metaHeaders(reply));
		const elsewhere = await other.post(reply, metaHeaders(reply));
		expect([again.status, elsewhere.status]).toEqual([200, 200]);
		expect([again.items, elsewhere.items]).toEqual([undefined, undefined]);
		expect(host.counts.resumed).toBe(1);
		expect(trigger.started).toHaveLength(0);
		expect(other.started).toHaveLength(0);
	});

	it('accepts a typed choice, offers up to 10 as a list, and leaves a reply that answers nothing to the workflow', async () => {
		const { graph } = backends();
		const trigger = await cloudTrigger();
		const choices = Array.from({ length: 10 }, (_, index) => ({ text: `Slot ${index + 1} at ${9 + index}:00` }));
		const { executionId } = await host.start(
			ask({ backend: 'cloud', asList: true, listButtonText: 'Pick a slot', choices: { choice: choices } }),
		);
		const rows = (graph.accepted[0].body.interactive as { action: { sections: Array<{ rows: unknown[] }> } }).action.sections[0].rows;
		expect(rows).toHaveLength(10);

		const chatter = cloudReply({ text: 'Which days are free?' });
		const started = await trigger.post(chatter, metaHeaders(chatter));
		expect(started.items?.map((item) => item.json.text)).toEqual(['Which days are free?']);
		expect(host.status(executionId)).toBe('waiting');

		const typed = cloudReply({ text: ' slot 3 at 11:00 ' });
		await trigger.post(typed, metaHeaders(typed));
		const answer = askOutput(await host.finished(executionId))[0].json;
		expect(answer.choice).toEqual({ id: '3', text: 'Slot 3 at 11:00' });
	});

	it('refuses a resume request without n8n’s signature, and one naming no answered question of this execution', async () => {
		const { executionId, run } = await host.start(ask({ backend: 'cloud' }));
		expect(run.data.validateSignature).toBe(true);
		const post = async (url: string, questionId?: string) =>
			(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ questionId }) })).status;
		expect(await post(`${host.url}/webhook-waiting/${executionId}/ask-node-1`)).toBe(401);
		const questionId = String(askOutput(run)[0].json.questionId);
		const { resumeUrl } = (await processMemoryStore.questions.get(questionId))!.question;
		// Signed, but the question is still open (nobody answered), or the ID is made up: nothing to take.
		expect(await post(resumeUrl, questionId)).toBe(409);
		expect(await post(resumeUrl, randomUUID())).toBe(409);
		expect(host.status(executionId)).toBe('waiting');
		expect(host.counts.resumed).toBe(0);
	});
});

describe('Send and Wait for Response on the Lite container', () => {
	it('sends numbered choices and takes the number or the text; the redelivered reply resumes nothing', async () => {
		const { lite } = backends();
		const trigger = await liteTrigger();
		const { executionId } = await host.start(
			ask({ backend: 'lite', choices: { choice: [{ text: 'Confirm' }, { text: 'Reschedule' }, { text: 'Cancel' }] } }),
		);
		expect(lite.sent).toHaveLength(1);
		expect(JSON.stringify(lite.sent[0])).toContain('1. Confirm\\n2. Reschedule\\n3. Cancel');

		const noise = liteReply('4');
		expect((await trigger.post(noise, liteHeaders(noise))).items?.map((item) => item.json.text)).toEqual(['4']);
		const reply = liteReply('2');
		expect((await trigger.post(reply, liteHeaders(reply))).status).toBe(200);
		const answer = askOutput(await host.finished(executionId))[0].json;
		expect(answer).toMatchObject({ answered: true, choice: { id: '2', text: 'Reschedule' }, text: '2', from: asked, backend: 'lite' });
		expect(answer.questionMessageId).toBe(lite.sent[0].messageId);

		const redelivered = await trigger.post(reply, liteHeaders(reply));
		expect(redelivered.items).toBeUndefined();
		expect(host.counts.resumed).toBe(1);
	});

	it('takes any text in free-text mode, from the newest open question of that person', async () => {
		const trigger = await liteTrigger();
		const first = await host.start(ask({ backend: 'lite', answerType: 'freeText', question: 'Your order number?' }));
		const second = await host.start(ask({ backend: 'lite', answerType: 'freeText', question: 'Your postcode?' }));
		const reply = liteReply('10115');
		await trigger.post(reply, liteHeaders(reply));
		expect(askOutput(await host.finished(second.executionId))[0].json).toMatchObject({ choice: null, text: '10115' });
		expect(host.status(first.executionId)).toBe('waiting');
		const next = liteReply('A-77');
		await trigger.post(next, liteHeaders(next));
		expect(askOutput(await host.finished(first.executionId))[0].json.text).toBe('A-77');
	});
});

describe('Send and Wait for Response time limit', () => {
	it('continues with a timeout item after the limit, and a later reply starts the workflow as a normal message', async () => {
		const trigger = await liteTrigger();
		const { executionId } = await host.start(
			ask({ backend: 'lite', limitWaitTime: true, resumeAmount: 1, resumeUnit: 'seconds', choices: { choice: [{ text: 'Yes' }] } }),
		);
		const waitTill = host.waitTill(executionId)!;
		expect(waitTill.getTime()).toBeGreaterThan(Date.now() - 1000);
		// n8n's WaitTracker runs the execution on once waitTill passed; the question expired from the store with it.
		await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitTill.getTime() - Date.now()) + 100));
		const run = await host.timeOut(executionId);
		expect(run.data.resultData.error).toBeUndefined();
		expect(askOutput(run)[0].json).toMatchObject({ answered: false, timedOut: true, to: asked });
		const late = liteReply('1');
		expect((await trigger.post(late, liteHeaders(late))).items?.map((item) => item.json.text)).toEqual(['1']);
		expect(host.counts.resumeRequests).toBe(0);
	});
});

describe('Send and Wait for Response input checks', () => {
	const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
		['four buttons', { choices: { choice: ['A', 'B', 'C', 'D'].map((text) => ({ text })) } }, /Choices.*4 choices.*at most 3.*as a List/s],
		['no choices', { choices: { choice: [] } }, /Choices.*empty/s],
		['a button title over 20', { choices: { choice: [{ text: 'Approve the full refund' }] } }, /Choice 1 Text.*23 characters.*20/s],
		[
			'a list row over 24',
			{ asList: true, choices: { choice: [{ text: 'Approve the full refund now' }] } },
			/Choice 1 Text.*27 characters.*24/s,
		],
	];
	it.each(refusals)('refuses %s before anything is sent, naming the field', async (_case, parameters, message) => {
		const { graph } = backends();
		const { executionId, run } = await host.start(ask({ backend: 'cloud', ...parameters }));
		const error = run.data.resultData.error as { message: string; description?: string } | undefined;
		expect(`${error?.message} ${error?.description}`).toMatch(message);
		expect(host.status(executionId)).toBe('error');
		expect(graph.requests.filter((request) => request.path.endsWith('/messages'))).toHaveLength(0);
	});
});
