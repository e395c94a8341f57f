import { recipients, useSegmentRun } from '../segment/run';

const { backends, sendSegment, retrySegment } = useSegmentRun();

test("n8n's Retry of a failed execution continues its campaign: who got the message is skipped, the failed one is sent", async () => {
	// The first request of the segment is refused for good (a number not on WhatsApp, since registered): the node fails.
	backends().graph.failNext({ kind: 'error', code: 131026 });
	const failed = await sendSegment({ backend: 'cloud', delivery: {} }, recipients(5), { continueOnFail: false });
	expect(failed.error?.message).toMatch(/^WhatsApp error 131026/);
	// Sends run concurrently: the order they reach the fake is not the order of the items.
	expect(
		backends()
			.graph.accepted.map((message) => message.to)
			.sort(),
	).toEqual(
		recipients(5)
			.slice(1)
			.map((_, index) => `4915${110_000_001 + index}`),
	);
	const campaignKey = Object.keys(failed.run.data.resultData.metadata ?? {})[0];
	expect(campaignKey).toMatch(/^wa_campaign_/);

	const retried = await retrySegment(failed);
	expect(retried.error).toBeUndefined();
	expect(retried.items.map((item) => item.status)).toEqual(['accepted', 'skipped', 'skipped', 'skipped', 'skipped']);
	expect(retried.items[1].reason).toMatch(/^already sent in this campaign \(message wamid\./);
	// Everyone got exactly one message over both executions.
	const to = backends().graph.accepted.map((message) => message.to);
	expect(to).toHaveLength(5);
	expect(new Set(to).size).toBe(5);
	expect(retried.run.data.resultData.metadata?.[campaignKey]).toBe(failed.run.data.resultData.metadata?.[campaignKey]);
});

test('a new execution (not a retry) is a new campaign by default', async () => {
	await sendSegment({ backend: 'cloud', delivery: {} }, recipients(2));
	await sendSegment({ backend: 'cloud', delivery: {} }, recipients(2));
	expect(backends().graph.accepted).toHaveLength(4);
});

test('Retry of a Lite hand-off cut off midway continues the same container campaign', async () => {
	backends().lite.state.storeDropsAfterHandOffs = 1;
	const failed = await sendSegment({ backend: 'lite', delivery: {} }, recipients(1500), { continueOnFail: false });
	expect(failed.error?.message).toBe('Lite container: The gateway cannot reach its Redis');
	const [campaignId] = backends().lite.campaigns.campaigns.keys();

	Object.assign(backends().lite.state, { storeAvailable: true, storeDropsAfterHandOffs: undefined });
	const retried = await retrySegment(failed);
	expect(retried.error).toBeUndefined();
	expect(new Set(retried.items.map((item) => item.campaignId))).toEqual(new Set([campaignId]));
	expect(retried.items.filter((item) => item.alreadyQueued)).toHaveLength(1000);
	expect(backends().lite.campaigns.campaigns.size).toBe(1);
	expect(backends().lite.campaigns.campaigns.get(campaignId)?.receivers.size).toBe(1500);
});
