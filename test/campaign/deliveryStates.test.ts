import { type RecipientRow, reasonKind, reportRows, summarize } from '../../nodes/whatsapp/delivery/report';
import { MemoryStore } from '../../nodes/whatsapp/store/memory';
import { RedisStore } from '../../nodes/whatsapp/store/redis';
import { ledgerKeyOf } from '../../nodes/whatsapp/store/reports';
import type { StateStore } from '../../nodes/whatsapp/store/types';
import { type TestRedis, startRedis, uniquePrefix } from '../harness/redis';

let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => await redis.stop());

const TTL = 3600;
const at = (minute: number) => `2030-01-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

/** The same story told to a store; what it answered and kept at each step. */
async function story(store: StateStore) {
	const { reports } = store;
	const ledger = ledgerKeyOf('cloud', 'phone-1', 'spring');
	const steps: unknown[] = [];
	const note = async (label: string, action: Promise<unknown>) => steps.push([label, await action]);

	await note('untracked Cloud message', reports.update('cloud', 'wamid.X', { state: 'delivered', at: at(1) }));
	await store.recordOutcome(ledger, '491', { status: 'sending', at: at(0) }, TTL);
	await note('a request in flight indexes nothing', reports.latestMessage('cloud', 'phone-1', '491'));
	await store.recordOutcome(ledger, '491', { status: 'sent', at: at(0), messageId: 'wamid.A' }, TTL);
	await store.recordOutcome(ledger, '492', { status: 'sent', at: at(0), messageId: 'wamid.B' }, TTL);
	await note('latest to 491', reports.latestMessage('cloud', 'phone-1', '491'));
	await note('delivered', reports.update('cloud', 'wamid.A', { state: 'delivered', at: at(2) }));
	await note('read', reports.update('cloud', 'wamid.A', { state: 'read', at: at(3) }));
	await note('delivered after read', reports.update('cloud', 'wamid.A', { state: 'delivered', at: at(4) }));
	await note(
		'failed after read',
		reports.update('cloud', 'wamid.A', { state: 'failed', at: at(5), error: { code: 131026, title: 'Undeliverable' } }),
	);
	await note('replied', reports.update('cloud', 'wamid.A', { state: 'replied', at: at(6) }));
	await note('replied again', reports.update('cloud', 'wamid.A', { state: 'replied', at: at(7) }));
	await note(
		'failed after sent',
		reports.update('cloud', 'wamid.B', { state: 'failed', at: at(2), error: { code: 131026, title: 'Undeliverable' } }),
	);
	await note('delivered after failed', reports.update('cloud', 'wamid.B', { state: 'delivered', at: at(3) }));
	await note(
		'Lite ack of a message sent by the container',
		reports.update('lite', 'true_493@c.us_C', { state: 'delivered', at: at(2) }, { senderId: 'suit-1', recipient: '493' }),
	);
	await note('latest to 493 on Lite', reports.latestMessage('lite', 'suit-1', '493'));
	await note('records', reports.messages('cloud', ['wamid.A', 'wamid.B', 'wamid.X']));
	await note('Lite record', reports.messages('lite', ['true_493@c.us_C']));
	await reports.recordSkips('cloud', 'phone-1', 'spring', [{ recipient: '494', reason: 'opted out on 2030-01-01 ("STOP")', at: at(1) }]);
	await note(
		'skips',
		reports.skips('cloud', 'phone-1', 'spring').then((skips) => [...skips]),
	);
	await note(
		'ledger',
		reports.ledger(ledger).then((entries) => [...entries].sort()),
	);
	await reports.noteCampaign('cloud', 'phone-1', 'spring', '20300101');
	await reports.noteCampaign('cloud', 'phone-1', 'autumn', '20300101');
	await note('campaigns of the day', reports.campaignsOn('cloud', 'phone-1', '20300101'));
	return steps;
}

test('Redis (Lua) and memory keep delivery states alike: forward only, failed only after sent, the first reply', async () => {
	const { hostname, port } = new URL(redis.url);
	const redisStore = await RedisStore.connect({ host: hostname, port: Number(port), keyPrefix: uniquePrefix() });
	try {
		const inRedis = await story(redisStore);
		expect(await story(new MemoryStore())).toEqual(inRedis);
		expect(Object.fromEntries(inRedis as Array<[string, unknown]>)).toMatchObject({
			'untracked Cloud message': false,
			'a request in flight indexes nothing': undefined,
			'latest to 491': 'wamid.A',
			delivered: true,
			read: true,
			'delivered after read': false,
			'failed after read': false,
			replied: true,
			'replied again': false,
			'failed after sent': true,
			'delivered after failed': false,
			'Lite ack of a message sent by the container': true,
			'latest to 493 on Lite': 'true_493@c.us_C',
			records: [
				{ state: 'read', campaignId: 'spring', recipient: '491', sentAt: at(0), deliveredAt: at(2), readAt: at(3), repliedAt: at(6) },
				{
					state: 'failed',
					campaignId: 'spring',
					recipient: '492',
					sentAt: at(0),
					failedAt: at(2),
					error: { code: 131026, title: 'Undeliverable' },
				},
				undefined,
			],
			'Lite record': [{ state: 'delivered', recipient: '493', deliveredAt: at(2) }],
			'campaigns of the day': ['autumn', 'spring'],
		});
	} finally {
		await redisStore.close();
	}
});

test('a skip recorded after a certain failure makes the row skipped; opted-out skips are counted apart; reasons group without their particulars', () => {
	const rows = reportRows(
		[
			{ recipient: '491', state: 'failed', at: at(1), reason: 'daily quota reached' },
			{ recipient: '492', state: 'failed', at: at(5), reason: 'WhatsApp error 131026: The message could not be delivered' },
			{ recipient: '493', state: 'sent', at: at(1), messageId: 'wamid.C' },
		],
		new Map([
			['491', { reason: 'daily quota reached (95/95); resets at 2030-01-02T00:00:00.000Z', at: at(2) }],
			['492', { reason: 'daily quota reached (95/95); resets at 2030-01-02T00:00:00.000Z', at: at(2) }],
			['495', { reason: 'opted out on 2030-01-01 ("STOP")', at: at(2) }],
			['494', { reason: 'opted out on 2029-12-24 ("Baja")', at: at(2) }],
		]),
		new Map(),
	);
	expect(rows.map((row: RecipientRow) => [row.recipient, row.state, row.errorCode])).toEqual([
		['491', 'skipped', undefined],
		['492', 'failed', 131026],
		['493', 'sent', undefined],
		['494', 'skipped', undefined],
		['495', 'skipped', undefined],
	]);
	const summary = summarize(rows);
	expect(summary.counts).toMatchObject({ total: 5, sent: 1, failed: 1, skipped: 3, optedOut: 2 });
	expect(summary.skippedBy).toEqual([
		{ reason: 'opted out', count: 2 },
		{ reason: 'daily quota reached', count: 1 },
	]);
	expect(reasonKind('not sent: sending stopped after "WhatsApp error 190"')).toBe('not sent');
	expect(reasonKind('listed more than once in this segment: queued once')).toBe('listed more than once in this segment');
});
