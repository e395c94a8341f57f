import { recipients, useSegmentRun } from '../segment/run';

const { backends, sendSegment } = useSegmentRun();

const campaign = (operation: string, extra: Record<string, unknown> = {}, options: { continueOnFail?: boolean; backend?: string } = {}) =>
	sendSegment({ backend: options.backend ?? 'lite', resource: 'campaign', operation, campaignId: '={{ $json.campaignId }}', ...extra }, [{ json: { campaignId: 'spring' } }], {
		continueOnFail: options.continueOnFail ?? false,
	});

async function handOff(count: number) {
	const result = await sendSegment({ backend: 'lite', delivery: { campaignId: 'spring' } }, recipients(count));
	expect(result.items.every((item) => item.status === 'queued')).toBe(true);
}

test('Get: state, counts, next send and the container\'s quota, before and after the container sent', async () => {
	await handOff(3);
	const before = await campaign('get');
	expect(before.items).toEqual([
		{ campaignId: 'spring', name: 'Test workflow', state: 'running', counts: { queued: 3, sending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 }, nextSendAt: expect.any(String), quota: expect.objectContaining({ used: 0 }), recipients: 3 },
	]);

	backends().lite.runCampaigns();
	const after = await campaign('get');
	expect(after.items[0]).toMatchObject({ state: 'finished', counts: { queued: 0, sent: 3 }, nextSendAt: null, quota: { used: 3, resetAt: '2030-01-02T00:00:00.000Z' } });
});

test('Get with Recipients pages through the container 500 at a time: one item per recipient', async () => {
	await handOff(1200);
	backends().lite.runCampaigns();

	const all = await campaign('get', { campaignOutput: 'recipients', returnAll: true });
	expect(all.items).toHaveLength(1200);
	expect(all.items[1199]).toEqual({ campaignId: 'spring', campaignState: 'finished', recipient: '4915110001199', state: 'sent', messageId: expect.stringMatching(/^true_4915110001199@c\.us_LITE/), updatedAt: expect.any(String) });
	const pages = backends().lite.requests.filter((request) => request.path === '/suit-1/campaigns/spring').map((request) => `${request.query.get('offset')}+${request.query.get('limit')}`);
	expect(pages).toEqual(['0+500', '500+500', '1000+500']);

	const some = await campaign('get', { campaignOutput: 'recipients', limit: 7 });
	expect(some.items.map((item) => item.recipient)).toEqual(recipients(7).map((_, index) => `4915${110_000_000 + index}`));
});

test('Pause holds the campaign, Resume lets it go on, Cancel skips everyone still queued', async () => {
	await handOff(4);
	expect((await campaign('pause')).items).toEqual([{ campaignId: 'spring', state: 'paused' }]);
	backends().lite.runCampaigns();
	expect(backends().lite.sent).toEqual([]);

	expect((await campaign('resume')).items).toEqual([{ campaignId: 'spring', state: 'running' }]);
	expect((await campaign('cancel')).items).toEqual([{ campaignId: 'spring', state: 'cancelled' }]);
	const rows = await campaign('get', { campaignOutput: 'recipients', returnAll: true });
	expect(rows.items.map((item) => [item.state, item.reason])).toEqual(Array(4).fill(['skipped', 'campaign cancelled']));
});

test('an unknown campaign ID fails with what to map instead', async () => {
	const result = await campaign('get');
	expect(result.error?.message).toBe('Lite container: No campaign spring');
	expect(result.error?.description).toContain('Use the campaign ID the sending node returned (each item\'s campaignId)');
});

test('on the Cloud API the campaign operations refuse clearly, before any request', async () => {
	const result = await campaign('get', {}, { backend: 'cloud' });
	expect(result.error?.message).toBe('Campaign operations need the Lite container');
	expect(result.error?.description).toContain('follow deliveries with the WhatsApp Trigger');
	expect(backends().graph.requests).toEqual([]);
});
