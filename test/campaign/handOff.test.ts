import '../templates/fixtures';
import { recipients, useSegmentRun } from '../segment/run';

const { backends, sendSegment } = useSegmentRun();

/** The hand-off requests the fake container received (`POST /{suit_id}/send`), with their Notify bodies. */
const handOffs = () =>
	backends()
		.lite.requests.filter((request) => request.method === 'POST' && request.path === '/suit-1/send')
		.map(
			(request) =>
				request.body as {
					UOWHATSAPP: Record<string, unknown> & { receivers: Array<{ mobileNum: string; user?: { text: string } }> };
					campaign_id: string;
					campaign_name: string;
				},
		);

const number = (index: number) => `4915${String(110_000_000 + index)}`;
const campaignOf = (id: string) => backends().lite.campaigns.campaigns.get(id);

test('a Lite segment with minute delays is handed to the container as one campaign, in chunks of 1,000, each item queued', async () => {
	const result = await sendSegment({ backend: 'lite', delivery: { campaignId: 'spring' } }, recipients(2500));

	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(2500);
	result.items.forEach((item, index) => expect(item).toEqual({ to: number(index), type: 'text', campaignId: 'spring', status: 'queued' }));
	const bodies = handOffs();
	expect(bodies.map((body) => body.UOWHATSAPP.receivers.length)).toEqual([1000, 1000, 500]);
	expect(new Set(bodies.map((body) => body.campaign_id))).toEqual(new Set(['spring']));
	// Each receiver's own text (rendered from the item) through one placeholder, with the Delivery settings' delays.
	const { receivers, ...settings } = bodies[0].UOWHATSAPP;
	expect(settings).toEqual({ message: '{{user.text}}', random_delay: true, min_delay: 3, max_delay: 6, random_string: false });
	expect(receivers[7]).toEqual({ mobileNum: number(7), user: { text: 'Hi User 7' } });
	expect(backends().lite.requests.some((request) => request.path === '/api/send-message')).toBe(false);

	backends().lite.runCampaigns();
	expect(backends().lite.sent).toHaveLength(2500);
	expect(backends().lite.sent[1234]).toMatchObject({ number: number(1234), message: 'Hi User 1234', campaignId: 'spring' });
});

test('handing the same campaign over again queues nobody twice: every item says queued, already queued', async () => {
	const segment = { backend: 'lite', delivery: { campaignId: 'again' } };
	await sendSegment(segment, recipients(1200));
	const second = await sendSegment(segment, recipients(1200));

	expect(second.items.every((item) => item.status === 'queued' && item.alreadyQueued === true)).toBe(true);
	expect(campaignOf('again')?.receivers.size).toBe(1200);
	backends().lite.runCampaigns();
	expect(backends().lite.sent).toHaveLength(1200);
	expect(new Set(backends().lite.sent.map((message) => message.number)).size).toBe(1200);
});

test('an answer lost after the container queued a chunk: the chunk is posted again and nobody is queued twice', async () => {
	backends().lite.failNext({ kind: 'dropConnection' });
	const result = await sendSegment({ backend: 'lite', delivery: { campaignId: 'lost-answer' } }, recipients(1500));

	expect(result.items.map((item) => item.status)).toEqual(Array(1500).fill('queued'));
	expect(result.items.filter((item) => item.alreadyQueued)).toHaveLength(1000);
	expect(handOffs().map((body) => body.UOWHATSAPP.receivers.length)).toEqual([1000, 1000, 500]);
	expect(campaignOf('lost-answer')?.receivers.size).toBe(1500);
});

test('a hand-off cut off between chunks and run again with the same campaign ID queues the rest, and nobody twice', async () => {
	const segment = { backend: 'lite', delivery: { campaignId: 'cut-off' } };
	// The container loses its Redis after the first chunk: the second is refused (nothing queued), the third not tried.
	const lite = backends().lite;
	lite.state.storeDropsAfterHandOffs = 1;
	const first = await sendSegment(segment, recipients(2100));
	expect(first.items.slice(0, 1000).every((item) => item.status === 'queued')).toBe(true);
	expect(first.items[1000]).toMatchObject({ status: 'failed', campaignId: 'cut-off', error: { code: 'STORE_UNAVAILABLE' } });
	expect(
		first.items
			.slice(2000)
			.every(
				(item) =>
					item.status === 'skipped' &&
					/^not sent: sending stopped after "Lite container: The gateway cannot reach its Redis"$/.test(String(item.reason)),
			),
	).toBe(true);
	expect(campaignOf('cut-off')?.receivers.size).toBe(1000);

	Object.assign(lite.state, { storeAvailable: true, storeDropsAfterHandOffs: undefined });
	const second = await sendSegment(segment, recipients(2100));
	expect(second.items.map((item) => item.status)).toEqual(Array(2100).fill('queued'));
	expect(second.items.filter((item) => item.alreadyQueued)).toHaveLength(1000);
	lite.runCampaigns();
	expect(lite.sent).toHaveLength(2100);
	expect(new Set(lite.sent.map((message) => message.number)).size).toBe(2100);
});

test('one text for everyone goes as the campaign message itself; media goes by URL with its caption', async () => {
	await sendSegment({ backend: 'lite', text: 'Sale starts today', delivery: { campaignId: 'same-text' } }, recipients(3));
	await sendSegment(
		{
			backend: 'lite',
			operation: 'sendMedia',
			mediaType: 'image',
			mediaLink: 'https://cdn.example.com/sale.jpg',
			caption: '=Hi {{ $json.name }}',
			delivery: { campaignId: 'image' },
		},
		recipients(2),
	);

	const [text, image] = handOffs();
	expect(text.UOWHATSAPP).toMatchObject({
		message: 'Sale starts today',
		receivers: [{ mobileNum: number(0) }, { mobileNum: number(1) }, { mobileNum: number(2) }],
	});
	expect(image.UOWHATSAPP).toMatchObject({
		message: '{{user.text}}',
		imageUrl: 'https://cdn.example.com/sale.jpg',
		receivers: [
			{ mobileNum: number(0), user: { text: 'Hi User 0' } },
			{ mobileNum: number(1), user: { text: 'Hi User 1' } },
		],
	});
	backends().lite.runCampaigns();
	expect(backends().lite.sent.map(({ number: to, message, imageUrl }) => ({ to, message, imageUrl }))).toEqual([
		{ to: number(0), message: 'Sale starts today', imageUrl: undefined },
		{ to: number(1), message: 'Sale starts today', imageUrl: undefined },
		{ to: number(2), message: 'Sale starts today', imageUrl: undefined },
		{ to: number(0), message: 'Hi User 0', imageUrl: 'https://cdn.example.com/sale.jpg' },
		{ to: number(1), message: 'Hi User 1', imageUrl: 'https://cdn.example.com/sale.jpg' },
	]);
});

test('a segment a campaign cannot carry fails before anything is handed over, naming the item, the field and the way out', async () => {
	const items = recipients(3).map((item, index) => ({
		json: { ...item.json, picture: index === 2 ? 'https://cdn.example.com/b.jpg' : 'https://cdn.example.com/a.jpg' },
	}));
	const result = await sendSegment(
		{ backend: 'lite', operation: 'sendMedia', mediaType: 'image', mediaLink: '={{ $json.picture }}', delivery: {} },
		items,
		{ continueOnFail: false },
	);

	expect(result.error?.message).toBe(
		'Media "https://cdn.example.com/b.jpg" differs from the first item\'s; a Container Campaign sends the same media to every receiver',
	);
	expect((result.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(2);
	expect(result.error?.description).toContain('set Delivery Mode to "Send From n8n"');
	expect(backends().lite.requests).toEqual([]);
});

test('a delay longer than the container takes (one day) fails before anything is handed over, naming the field and its value', async () => {
	const result = await sendSegment({ backend: 'lite', delivery: { minDelayMinutes: 3, maxDelayMinutes: 2000 } }, recipients(2), {
		continueOnFail: false,
	});

	expect(result.error?.message).toBe('Delay Up To (Minutes) 2000 is not a number of minutes from 0 to 1440 (one day)');
	expect(backends().lite.requests).toEqual([]);
});

test("a recipient listed twice is queued once; the container's refusals come back per item", async () => {
	const lite = backends().lite;
	await sendSegment({ backend: 'lite', delivery: { campaignId: 'closed' } }, recipients(2));
	const cancelled = lite.campaigns.control('closed', 'cancel');
	expect(cancelled.body).toEqual({ campaignId: 'closed', state: 'cancelled' });

	const result = await sendSegment({ backend: 'lite', delivery: { campaignId: 'closed' } }, [...recipients(3), ...recipients(1)]);
	expect(result.items.map((item) => [item.status, item.alreadyQueued ?? item.reason])).toEqual([
		['queued', true],
		['queued', true],
		['skipped', 'campaign cancelled'],
		['skipped', 'listed more than once in this segment: queued once'],
	]);
});

test('Send From n8n, or a single message, or delays under a minute: sent now from n8n, not handed over', async () => {
	await sendSegment({ backend: 'lite', delivery: { mode: 'direct' } }, recipients(2));
	await sendSegment({ backend: 'lite', delivery: {} }, recipients(1, 10));
	await sendSegment({ backend: 'lite', delivery: { minDelayMinutes: 0.5, maxDelayMinutes: 0.9 } }, recipients(2, 20));

	expect(handOffs()).toEqual([]);
	expect(backends().lite.sent.map((message) => message.number)).toEqual([number(0), number(1), number(10), number(20), number(21)]);
});

test('Template Send hands an Automator text template to the container, each receiver with its rendered text', async () => {
	const result = await sendSegment(
		{
			backend: 'lite',
			operation: 'send',
			templateSource: 'text',
			recipient: '={{ $json.phone }}',
			textTemplate: 'Hello {{ name }}, your code is {{ code | "none" }}',
			delivery: { campaignId: 'tpl', mode: 'campaign' },
		},
		recipients(3).map((item, index) => ({ json: { ...item.json, ...(index === 1 && { code: 'A1' }) } })),
		{ node: 'WhatsApp Template Send' },
	);

	expect(result.items.map((item) => [item.status, item.campaignId, item.renderedText])).toEqual([
		['queued', 'tpl', 'Hello User 0, your code is none'],
		['queued', 'tpl', 'Hello User 1, your code is A1'],
		['queued', 'tpl', 'Hello User 2, your code is none'],
	]);
	backends().lite.runCampaigns();
	expect(backends().lite.sent.map((message) => message.message)).toEqual([
		'Hello User 0, your code is none',
		'Hello User 1, your code is A1',
		'Hello User 2, your code is none',
	]);
});

test('with Continue On Fail, an item a campaign cannot carry becomes an error item and the others are handed over', async () => {
	const items = recipients(3).map((item, index) => ({ json: { ...item.json, quote: index === 1 ? 'true_4915110000001@c.us_Q1' : '' } }));
	const result = await sendSegment(
		{ backend: 'lite', options: { initialBackoffMs: 20, replyTo: '={{ $json.quote }}' }, delivery: { campaignId: 'mixed' } },
		items,
	);

	expect(result.items.map((item) => item.status)).toEqual(['queued', 'failed', 'queued']);
	expect(result.items[1].error).toMatchObject({
		field: 'Reply To Message ID',
		fix: 'Set Delivery Mode to "Send From n8n" for this kind of message, or remove the reply',
	});
	expect(handOffs()[0].UOWHATSAPP.receivers.map((receiver) => receiver.mobileNum)).toEqual([number(0), number(2)]);
});
