import { startRestartableRedis, type RestartableRedis } from '../harness/redis';
import { type WaitingHost, startWaitingHost } from '../harness/waiting';
import type { TriggerUnderTest } from '../harness/webhook';
import { metaWebhookBody } from '../fakes/metaWebhook';
import { closeProcessStateStores } from '../../nodes/whatsapp/n8n/store';
import { useBackends } from '../send/fixtures';
import { metaHeaders, metaMessage, PHONE_NUMBER_ID, redisCredentialFor, startCloudTrigger, wamid } from '../trigger/fixtures';
import { askWorkflow, sendCredentials } from './fixtures';

const backends = useBackends();
let redis: RestartableRedis;
let host: WaitingHost;
let trigger: TriggerUnderTest;
beforeAll(async () => {
	redis = await startRestartableRedis();
});
afterAll(async () => {
	await closeProcessStateStores();
	await redis.stop();
});
afterEach(async () => {
	await trigger?.close();
	await host?.close();
});

it('a reply arriving while Redis is down is answered 503 and resumes the execution once when delivered again', async () => {
	const asked = '4917000000555';
	const shared = redisCredentialFor(redis.url);
	host = await startWaitingHost({ ...sendCredentials(backends()), ...shared });
	trigger = await startCloudTrigger({}, shared);
	const { executionId } = await host.start(askWorkflow({ backend: 'cloud', recipient: `+${asked}`, answerType: 'freeText' }, true));
	const reply = JSON.stringify(
		metaWebhookBody(
			{
				contacts: [{ profile: { name: 'Kerry' }, wa_id: asked }],
				messages: [metaMessage('text', { text: { body: 'Tuesday works' } }, { id: wamid(), from: asked })],
			},
			PHONE_NUMBER_ID,
		),
	);

	await redis.stop();
	const refused = await trigger.post(reply, metaHeaders(reply));
	expect(refused.status).toBe(503);
	expect(refused.items).toBeUndefined();
	expect(host.status(executionId)).toBe('waiting');

	await redis.start();
	const again = await trigger.post(reply, metaHeaders(reply));
	expect(again.status).toBe(200);
	const run = await host.finished(executionId);
	expect(run.data.resultData.runData.Ask.at(-1)?.data?.main[0]?.[0].json).toMatchObject({ answered: true, text: 'Tuesday works' });
	const third = await trigger.post(reply, metaHeaders(reply));
	expect(third.status).toBe(200);
	expect(host.counts.resumed).toBe(1);
	expect(trigger.started).toHaveLength(0);
});
