import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { type WaitingHost, startWaitingHost } from '../harness/waiting';
import type { TriggerUnderTest } from '../harness/webhook';
import { metaWebhookBody } from '../fakes/metaWebhook';
import { useBackends } from '../send/fixtures';
import { metaHeaders, metaMessage, PHONE_NUMBER_ID, redisCredentialFor, startCloudTrigger, useTestRedis, wamid } from '../trigger/fixtures';
import { askWorkflow, sendCredentials } from './fixtures';
import { processMemoryStore } from '../../nodes/whatsapp/store/memory';
import { RedisStore } from '../../nodes/whatsapp/store/redis';

const connectionOf = (credential: ICredentialDataDecryptedObject) => ({
	host: String(credential.host),
	port: Number(credential.port),
	password: String(credential.password ?? ''),
	database: 0,
	tls: false,
	keyPrefix: String(credential.keyPrefix),
});

const backends = useBackends();
const redis = useTestRedis();
let host: WaitingHost;
const triggers: TriggerUnderTest[] = [];
afterEach(async () => {
	await Promise.all(triggers.splice(0).map((trigger) => trigger.close()));
	await host.close();
});

/**
 * Two triggers on the number (two workflows, or two webhook processors) share the node's state store: Redis with a
 * credential, else the process's memory. Whatever reaches them how often, the waiting execution resumes once.
 */
describe.each([
	['Redis', true],
	['process memory', false],
])('Send and Wait for Response exactly once with the %s store', (_store, withRedis) => {
	let asked = '';
	let shared: Record<string, ICredentialDataDecryptedObject> = {};
	// One credential (one key prefix) for the block: n8n keeps a credential's data per ID for a few seconds (recentCredentials).
	beforeAll(() => {
		shared = withRedis ? redisCredentialFor(redis.url()) : {};
	});
	beforeEach(async () => {
		asked = `4917${String(Date.now() % 1e7).padStart(7, '0')}`;
		host = await startWaitingHost({ ...sendCredentials(backends()), ...shared });
	});

	const tapped = (buttonId: string, id: string) =>
		JSON.stringify(
			metaWebhookBody(
				{
					contacts: [{ profile: { name: 'Kerry' }, wa_id: asked }],
					messages: [
						metaMessage(
							'interactive',
							{ interactive: { type: 'button_reply', button_reply: { id: buttonId, title: 'Yes' } } },
							{ id, from: asked },
						),
					],
				},
				PHONE_NUMBER_ID,
			),
		);

	it('a reply delivered 6 times at once to two triggers resumes the execution once and starts nothing', async () => {
		for (let index = 0; index < 2; index++) triggers.push(await startCloudTrigger({}, shared));
		const { executionId } = await host.start(askWorkflow({ backend: 'cloud', recipient: `+${asked}` }, withRedis));
		const buttonId = (backends().graph.accepted[0].body.interactive as { action: { buttons: Array<{ reply: { id: string } }> } }).action
			.buttons[0].reply.id;
		const reply = tapped(buttonId, wamid());
		const answers = await Promise.all([0, 1, 0, 1, 0, 1].map(async (which) => await triggers[which].post(reply, metaHeaders(reply))));
		const run = await host.finished(executionId);
		// 200: taken or seen before; 503: another delivery of it was still being handed over (deliver again later).
		expect(answers.every((answer) => answer.status === 200 || answer.status === 503)).toBe(true);
		expect(run.data.resultData.runData.Ask.at(-1)?.data?.main[0]?.[0].json).toMatchObject({ answered: true, choice: { text: 'Yes' } });
		expect(host.counts.resumed).toBe(1);
		expect(triggers.flatMap((trigger) => trigger.started)).toHaveLength(0);
		// A second answer (another message) to the answered question resumes nothing either; it starts the workflow.
		const later = tapped(buttonId, wamid());
		expect((await triggers[0].post(later, metaHeaders(later))).items).toHaveLength(1);
		expect(host.counts.resumed).toBe(1);
	});

	it("20 resume requests at once for one answer: the node's webhook takes it once", async () => {
		const { executionId, run } = await host.start(askWorkflow({ backend: 'cloud', recipient: `+${asked}` }, withRedis));
		const questionId = String(run.data.resultData.runData.Ask[0].data?.main[0]?.[0].json.questionId);
		const store = withRedis ? await RedisStore.connect(connectionOf(shared.whatsAppRedis)) : processMemoryStore;
		try {
			const { question } = (await store.questions.get(questionId))!;
			const answer = {
				choice: question.choices[0],
				text: 'Yes',
				from: asked,
				replyMessageId: wamid(),
				answeredAt: new Date().toISOString(),
			};
			expect(await store.questions.claim(question, answer)).toEqual({ outcome: 'claimed' });
			const statuses = await Promise.all(
				Array.from({ length: 20 }, async () => {
					const response = await fetch(question.resumeUrl, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ questionId }),
					});
					return response.status;
				}),
			);
			await host.finished(executionId);
			expect(statuses.filter((status) => status === 200)).toHaveLength(1);
			expect(statuses.filter((status) => status === 409)).toHaveLength(19);
			expect(host.counts.resumed).toBe(1);
		} finally {
			await store.close();
		}
	});
});
