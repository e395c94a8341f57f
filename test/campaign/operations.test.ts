import { recipients, useSegmentRun } from '../segment/run';

const { backends, sendSegment } = useSegmentRun();

const campaign = (operation: string, extra: Record<string, unknown> = {}, options: { continueOnFail?: boolean; backend?: string } = {}) =>
	sendSegment(
		{ backend: options.backend ?? 'lite', resource: 'campaign', operation, campaignId: '={{ $json.campaignId }}', ...extra },
		[{ json: { campaignId: 'spring' } }],
		{
			continueOnFail: options.continueOnFail ?? false,
		},
	);

async function handOff(count: number) {
	const result = await sendSegment({ backend: 'lite', delivery: { campaignId: 'spring' } }, recipients(count));
	expect(result.items.every((item) => item.status === 'queued')).toBe(true);
}

test("Get: state, counts, next send and the container's quota, before and after the container sent", async () => {
	await handOff(3);
	const before = await campaign('get');
	expect(before.items).toEqual([
		{
			campaignId: 'spring',
			backend: 'lite',
			businessNumber: 'suit-1',
			name: 'Test workflow',
			state: 'running',
			nextSendAt: expect.any(String),
			quota: expect.objectContaining({ used: 0 }),
			recipients: 3,
			counts: {
				total: 3,
				queued: 3,
				sending: 0,
				sent: 0,
				delivered: 0,
				read: 0,
				replied: 0,
				failed: 0,
				skipped: 0,
				optedOut: 0,
				unknown: 0,
			},
			failedBy: [],
			skippedBy: [],
			firstSentAt: null,
			lastSentAt: null,
		},
	]);

	backends().lite.runCampaigns();
	const after = await campaign('get');
	expect(after.items[0]).toMatchObject({
		state: 'finished',
		counts: { queued: 0, sent: 3 },
		nextSendAt: null,
		quota: { used: 3, resetAt: '2030-01-02T00:00:00.000Z' },
	});
});

test('Get with Recipients pages through the container 500 at a time: one item per recipient', async () => {
	await handOff(1200);
	backends().lite.runCampaigns();

	const all = await campaign('get', { campaignOutput: 'recipients', returnAll: true });
	expect(all.items).toHaveLength(1200);
	expect(all.items[1199]).toEqual({
		campaignId: 'spring',
		backend: 'lite',
		businessNumber: 'suit-1',
		campaignState: 'finished',
		recipient: '4915110001199',
		state: 'sent',
		replied: false,
		messageId: expect.stringMatching(/^true_4915110001199@c\.us_LITE/),
		sentAt: expect.any(String),
		nextCursor: null,
	});
	const pages = backends()
		.lite.requests.filter((request) => request.path === '/suit-1/campaigns/spring')
		.map((request) => `${request.query.get('offset')}+${request.query.get('limit')}`);
	expect(pages).toEqual(['0+500', '500+500', '1000+500']);

	const some = await campaign('get', { campaignOutput: 'recipients', limit: 7 });
	expect(some.items.map((item) => item.recipient)).toEqual(recipients(7).map((_, index) => `4915${110_000_000 + index}`));
	expect(some.items.map((item) => item.nextCursor)).toEqual(Array(7).fill('7'));
	const next = await campaign('get', { campaignOutput: 'recipients', limit: 7, cursor: '1197' });
	expect(next.items.map((item) => [item.recipient, item.nextCursor])).toEqual(
		[...Array(3)].map((_, index) => [`4915${110_001_197 + index}`, null]),
	);
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
	expect(result.error?.message).toBe('No campaign spring for this suit');
	expect(result.error?.description).toContain("Use the campaignId on the sending node's items");
});

test('on the Cloud API Pause refuses clearly, before any request', async () => {
	const result = await campaign('pause', {}, { backend: 'cloud' });
	expect(result.error?.message).toBe('Pause, Resume and Cancel need the Lite container');
	expect(result.error?.description).toContain("Use Get for the campaign's report");
	expect(backends().graph.requests).toEqual([]);
});

test('Get on a Lite campaign sent from n8n reads the campaign ledger (the container knows no such campaign)', async () => {
	const sent = await sendSegment({ backend: 'lite', delivery: { campaignId: 'spring', mode: 'direct' } }, recipients(3));
	expect(sent.items.map((item) => item.status)).toEqual(['accepted', 'accepted', 'accepted']);
	const [summary] = (await campaign('get')).items;
	expect(summary).toMatchObject({
		campaignId: 'spring',
		backend: 'lite',
		recipients: 3,
		counts: { total: 3, sent: 3, delivered: 0, queued: 0 },
	});
	expect(summary).not.toHaveProperty('state');
	const rows = (await campaign('get', { campaignOutput: 'recipients', returnAll: true })).items;
	expect(rows.map((row) => [row.state, row.messageId])).toEqual(sent.items.map((item) => ['sent', item.messageId]));
});
