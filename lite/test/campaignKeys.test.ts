import Redis from 'ioredis';
import { campaignBase, campaignKey, CAMPAIGN_PARTS, legacyCampaignBase } from '../src/campaign/keys';
import { canonicalSettings } from '../src/campaign/store';
import { startRedis, uniquePrefix, type TestRedis } from '../../test/harness/redis';
import { startRedisCluster, type TestRedisCluster } from '../../test/harness/redisCluster';
import { startGateway, SUIT, type TestGateway } from './helpers/gateway';
import { waitFor } from './helpers/wait';

/**
 * Campaign IDs never reach another campaign's Redis keys (issue 21): `victim:counts` and `victim:order` were spliced
 * into `campaign:victim:counts` (victim's counts) and `campaign:victim:order` (answered 500 WRONGTYPE).
 */
let redis: TestRedis;
let cluster: TestRedisCluster;
let inspect: Redis;
beforeAll(async () => {
	[redis, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
	inspect = new Redis(redis.url);
});
afterAll(async () => {
	inspect.disconnect();
	await Promise.all([redis.stop(), cluster.stop()]);
});

const campaign = (id: string, numbers: string[]) => ({
	UOWHATSAPP: { message: `Hi from ${id}`, receivers: numbers.map((mobileNum) => ({ mobileNum })), random_delay: false },
	campaign_id: id,
});
const COLLIDING = ['victim', 'victim:counts', 'victim:order', 'victim:pending', 'victim:states'];

describe.each([
	['Redis', () => ({ redisUrl: redis.url })],
	['a Redis Cluster', () => ({ redisClusterNodes: cluster.nodes })],
	['in-memory state', () => ({ redisUrl: undefined })],
])('campaign IDs that name another campaign’s keys, with %s', (_, state) => {
	let gw: TestGateway;
	beforeEach(async () => {
		gw = await startGateway({ ...state(), sandboxLoginDelayMs: -1 });
	});
	afterEach(() => gw.stop());

	it('keeps every campaign apart: its own counts, receivers and order; each cancelled alone', async () => {
		for (const [index, id] of COLLIDING.entries()) {
			const numbers = Array.from({ length: index + 1 }, (__, n) => `49151000${index}${String(n).padStart(4, '0')}`);
			expect((await gw.call('POST', `/${SUIT}/send`, campaign(id, numbers))).body).toMatchObject({ queued: index + 1 });
		}
		for (const [index, id] of COLLIDING.entries()) {
			const view = await gw.call('GET', `/${SUIT}/campaigns/${encodeURIComponent(id)}`);
			expect([id, view.status, view.body.counts, view.body.recipients.total]).toEqual([
				id,
				200,
				{ queued: index + 1, sending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 },
				index + 1,
			]);
		}
		expect((await gw.call('POST', `/${SUIT}/campaigns/${encodeURIComponent('victim:counts')}/cancel`)).body.state).toBe('cancelled');
		expect((await gw.call('GET', `/${SUIT}/campaigns/victim`)).body).toMatchObject({ state: 'running', counts: { queued: 1, skipped: 0 } });
		expect((await gw.call('GET', `/${SUIT}/campaigns/${encodeURIComponent('victim:counts')}`)).body.counts).toMatchObject({ skipped: 2 });
	});
});

it('stores each campaign under the keys the one key builder names, the same in TypeScript and in the scripts', async () => {
	const prefix = uniquePrefix();
	const gw = await startGateway({ redisUrl: redis.url, keyPrefix: prefix, sandboxLoginDelayMs: -1 });
	try {
		const ids = ['victim', 'victim:counts', 'Frühling 2026 (a/b)', 'wf-1:exec-2:node-3'];
		for (const id of ids) await gw.call('POST', `/${SUIT}/send`, campaign(id, ['4915100000001']));
		const base = campaignBase(prefix, SUIT);
		expect(base).toBe(`${prefix}lite:{${SUIT}}:`);
		const expected = ids.flatMap((id) => CAMPAIGN_PARTS.filter((part) => part !== ':sending').map((part) => campaignKey(base, id, part)));
		const stored = (await inspect.keys(`${base}campaign:*`)).sort();
		expect(stored).toEqual(expected.sort());
		expect(campaignKey(base, 'victim:counts')).toBe(`${base}campaign:%${Buffer.from('victim:counts').toString('hex')}`);
		expect(await inspect.hgetall(`${base}campaign:victim:counts`)).toEqual({ queued: '1' });
	} finally {
		await gw.stop();
	}
});

it.each([
	['before the key builder (and the hash tag) stored under its raw ID', 'wf1:exec2:node3'],
	['before the hash tag stored under the suit without one', 'spring-2026'],
])('takes over a campaign in flight that a gateway %s: nobody lost or sent twice', async (_, id) => {
	const prefix = uniquePrefix();
	const base = legacyCampaignBase(prefix, SUIT);
	const old = (part = '') => `${base}campaign:${id}${part}`;
	const receiver = (recipient: string) => JSON.stringify({ recipient, data: { mobileNum: recipient } });
	const settings = {
		id,
		template: 'Hi',
		fields: {},
		minDelayMinutes: 0,
		maxDelayMinutes: 0,
		randomDelay: false,
		randomString: false,
	};
	const at = new Date().toISOString();
	// The layout of gateways before issue 21 (and 27: no hash tag): one receiver queued, one handed to WhatsApp when the
	// gateway stopped.
	await inspect
		.multi()
		.hset(old(), 'settings', canonicalSettings(settings), 'name', '', 'state', 'running', 'createdAt', at, 'minGapMs', '0', 'maxGapMs', '0')
		.hset(old(), 'active', '1')
		.rpush(old(':pending'), '4915100000001')
		.rpush(old(':order'), '4915100000001', '4915100000002')
		.hset(old(':receivers'), '4915100000001', receiver('4915100000001'), '4915100000002', receiver('4915100000002'))
		.hset(old(':states'), '4915100000001', JSON.stringify({ state: 'queued', updatedAt: at }))
		.hset(old(':states'), '4915100000002', JSON.stringify({ state: 'sending', updatedAt: at }))
		.hset(old(':counts'), 'queued', '1', 'sending', '1')
		.hset(old(':sending'), '4915100000002', 'handed')
		.rpush(`${base}campaigns`, id)
		.exec();
	const gw = await startGateway({ redisUrl: redis.url, keyPrefix: prefix, minDelayMinutes: 0, maxDelayMinutes: 0 });
	try {
		const view = await waitFor(
			async () => {
				const { body } = await gw.call('GET', `/${SUIT}/campaigns/${encodeURIComponent(id)}`);
				return body?.state === 'finished' && body;
			},
			10_000,
			'the old campaign to finish',
		);
		expect(view.counts).toMatchObject({ sent: 1, unknown: 1, queued: 0, sending: 0 });
		expect(gw.sandbox.sent.map((sent) => sent.chatId)).toEqual(['4915100000001@c.us']);
		expect(await inspect.exists(old(), old(':pending'), old(':states'), old(':counts'), `${base}campaigns`)).toBe(0);
		expect(await inspect.llen(campaignKey(campaignBase(prefix, SUIT), id, ':order'))).toBe(2);
	} finally {
		await gw.stop();
	}
});
