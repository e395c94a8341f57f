/**
 * Opt-outs end to end through n8n's engine: a keyword message arrives at the WhatsApp Trigger (Record Opt-Outs),
 * and the next segment (another execution, sharing the WhatsApp Redis credential's Redis) skips that person
 * before anything is sent; an opt-in keyword reverses it. Cloud against the fake Graph API, Lite against the fake
 * container, which reads the suit's list from the same Redis as the gateway does.
 */
import type { INodeExecutionData } from 'n8n-workflow';
import { messageBodies } from '../send/fixtures';
import { recipients, useSegmentRun } from '../segment/run';
import { closeProcessStateStores } from '../../nodes/whatsapp/n8n/store';
import type { TriggerUnderTest } from '../harness/webhook';
import {
	liteEvent,
	liteHeaders,
	liteMessage,
	metaBody,
	metaHeaders,
	metaMessage,
	startCloudTrigger,
	startLiteTrigger,
} from '../trigger/fixtures';

const { backends, redis, keyPrefix, sendSegment } = useSegmentRun();
afterAll(async () => await closeProcessStateStores());

const SEGMENT = recipients(3);
const [FIRST, SECOND, THIRD] = ['4915110000000', '4915110000001', '4915110000002'];
/** The timestamp metaMessage and liteMessage give: 2024-06-03T16:00:00Z. */
const WRITTEN_ON = '2024-06-03';

const triggerRedis = () => {
	const { hostname, port } = new URL(redis().url);
	return { whatsAppRedis: { host: hostname, port: Number(port), password: '', database: 0, tls: false, keyPrefix: keyPrefix() } };
};
const recordOptOuts = { triggerOptions: { recordOptOuts: true } };

type Backend = 'cloud' | 'lite';

const startTriggerFor = (backend: Backend) => (backend === 'cloud' ? startCloudTrigger : startLiteTrigger)(recordOptOuts, triggerRedis());

/** One message from `from` with `text`, delivered to the trigger as the backend does; the item it started. */
async function writes(trigger: TriggerUnderTest, backend: Backend, from: string, text: string): Promise<INodeExecutionData['json']> {
	const body =
		backend === 'cloud'
			? metaBody({ messages: [metaMessage('text', { text: { body: text } }, { from })] })
			: liteEvent('message', liteMessage({ from, chatId: `${from}@c.us`, body: text }));
	const raw = JSON.stringify(body);
	const call = await trigger.post(raw, backend === 'cloud' ? metaHeaders(raw) : liteHeaders(raw));
	expect(call.status).toBe(200);
	return call.items![0].json;
}

/** Who the fake backend sent to. */
const sentTo = (backend: Backend) =>
	backend === 'cloud'
		? messageBodies(backends().graph).map((body) => String((body as { to: string }).to))
		: backends().lite.sent.map((message) => String(message.number));

const segment = (backend: Backend, campaignId: string, delivery: Record<string, unknown> = {}) =>
	sendSegment({ backend, delivery: { campaignId, mode: 'direct', ...delivery } }, SEGMENT);

describe.each(['cloud', 'lite'] as const)('%s: an opt-out through the trigger', (backend) => {
	let trigger: TriggerUnderTest;
	beforeEach(async () => {
		trigger = await startTriggerFor(backend);
	});
	afterEach(async () => await trigger.close());

	it('makes the next segments skip that person, until an opt-in keyword', async () => {
		expect(await writes(trigger, backend, SECOND, 'Stop sending me this')).not.toHaveProperty('optOut');
		expect((await writes(trigger, backend, SECOND, 'Stop!')).optOut).toEqual({
			action: 'opted_out',
			keyword: 'Stop!',
			at: `${WRITTEN_ON}T16:00:00.000Z`,
		});

		const first = await segment(backend, 'spring');
		expect(first.items.map((item) => item.status)).toEqual(['accepted', 'skipped', 'accepted']);
		expect(first.items[1]).toEqual({ to: SECOND, type: 'text', status: 'skipped', reason: `opted out on ${WRITTEN_ON} ("Stop!")` });
		// Another execution, another campaign: the list holds.
		const second = await segment(backend, 'summer');
		expect(second.items[1]).toMatchObject({ status: 'skipped', reason: `opted out on ${WRITTEN_ON} ("Stop!")` });
		expect(sentTo(backend)).toEqual([FIRST, THIRD, FIRST, THIRD]);

		expect((await writes(trigger, backend, SECOND, 'STOP')).optOut).toMatchObject({
			action: 'already_opted_out',
			at: `${WRITTEN_ON}T16:00:00.000Z`,
		});
		expect((await writes(trigger, backend, SECOND, 'start')).optOut).toMatchObject({ action: 'opted_in', keyword: 'start' });
		expect((await writes(trigger, backend, THIRD, 'START')).optOut).toMatchObject({ action: 'was_not_opted_out' });
		const third = await segment(backend, 'autumn');
		expect(third.items.map((item) => item.status)).toEqual(['accepted', 'accepted', 'accepted']);
	});

	it('"Send to Opted-Out Recipients" sends a service message anyway', async () => {
		await writes(trigger, backend, FIRST, 'UNSUBSCRIBE');
		const run = await segment(backend, 'order-updates', { sendToOptedOut: true });
		expect(run.items.map((item) => item.status)).toEqual(['accepted', 'accepted', 'accepted']);
	});
});

describe('lite: Container Campaign', () => {
	let trigger: TriggerUnderTest;
	beforeEach(async () => {
		trigger = await startTriggerFor('lite');
	});
	afterEach(async () => await trigger.close());

	it('an opted-out receiver is skipped before the hand-off (Arabic keyword, written without its hamza)', async () => {
		expect((await writes(trigger, 'lite', SECOND, 'الغاء')).optOut).toMatchObject({ action: 'opted_out' });
		const run = await segment('lite', 'bulk', { mode: 'campaign' });
		expect(run.items.map((item) => item.status)).toEqual(['queued', 'skipped', 'queued']);
		expect(run.items[1].reason).toBe(`opted out on ${WRITTEN_ON} ("الغاء")`);
		// The fake container has no list here (no shared Redis): the node itself skipped them.
		expect([...backends().lite.campaigns.campaigns.get('bulk')!.receivers.keys()]).toEqual([FIRST, THIRD]);
	});

	it("the container refuses them too, whatever the node's switch says: a campaign is not a service message", async () => {
		backends().lite.shareOptOutList(redis().url, keyPrefix());
		await writes(trigger, 'lite', THIRD, 'BAJA');
		const run = await segment('lite', 'bulk', { mode: 'campaign', sendToOptedOut: true });
		expect(run.items[2]).toMatchObject({ to: THIRD, status: 'skipped', reason: `opted out on ${WRITTEN_ON} ("BAJA")` });
		expect([...backends().lite.campaigns.campaigns.get('bulk')!.receivers.keys()]).toEqual([FIRST, SECOND]);
	});
});
