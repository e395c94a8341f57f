/**
 * The phone↔BSUID pairs of the state store (store/contacts.ts), the same on both implementations: a pair is found by
 * either key; a newer pair of a phone or a BSUID replaces the older one without leaving its other key behind; a
 * retired BSUID takes its phone's pair with it; memory entries are bounded with the store's others.
 */
import { MemoryStore } from '../../nodes/whatsapp/store/memory';
import { RedisStore } from '../../nodes/whatsapp/store/redis';
import type { StateStore } from '../../nodes/whatsapp/store/types';
import { startRedis, type TestRedis, uniquePrefix } from '../harness/redis';
import { clusterConnection, startRedisCluster, type TestRedisCluster } from '../harness/redisCluster';

let redis: TestRedis;
let cluster: TestRedisCluster;
beforeAll(async () => {
	[redis, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
});
afterAll(async () => await Promise.all([redis.stop(), cluster.stop()]));

const scope = { backend: 'cloud' as const, senderId: '106540352242922' };
const stores: Array<[string, () => Promise<StateStore>]> = [
	['memory', async () => new MemoryStore()],
	[
		'Redis',
		async () => {
			const { hostname, port } = new URL(redis.url);
			return await RedisStore.connect({ host: hostname, port: Number(port), keyPrefix: uniquePrefix() });
		},
	],
	['Redis Cluster', async () => await RedisStore.connect(clusterConnection(cluster))],
];

describe.each(stores)('%s store', (_name, open) => {
	let store: StateStore;
	beforeEach(async () => {
		store = await open();
	});
	afterEach(async () => await store.close());

	it('finds a pair by phone and by BSUID; learning it again is not new', async () => {
		expect(await store.contacts.learn(scope, [{ phone: '491111', userId: 'DE.A' }])).toEqual([true]);
		expect(await store.contacts.learn(scope, [{ phone: '491111', userId: 'DE.A' }])).toEqual([false]);
		expect(await store.contacts.lookup(scope, ['491111', 'DE.A', '492222'])).toEqual([
			{ phone: '491111', userId: 'DE.A' },
			{ phone: '491111', userId: 'DE.A' },
			undefined,
		]);
		expect(await store.contacts.lookup({ ...scope, senderId: 'another-number' }, ['491111'])).toEqual([undefined]);
	});

	it('a phone given to a new person, or a person with a new BSUID, replaces the older pair whole', async () => {
		await store.contacts.learn(scope, [{ phone: '491111', userId: 'DE.A' }]);
		// The phone now belongs to someone with BSUID DE.B: DE.A no longer points at it.
		await store.contacts.learn(scope, [{ phone: '491111', userId: 'DE.B' }]);
		expect(await store.contacts.lookup(scope, ['491111', 'DE.A', 'DE.B'])).toEqual([
			{ phone: '491111', userId: 'DE.B' },
			undefined,
			{ phone: '491111', userId: 'DE.B' },
		]);
	});

	it('retiring a BSUID forgets it and its phone, never the phone of a newer pair', async () => {
		await store.contacts.learn(scope, [
			{ phone: '491111', userId: 'DE.A' },
			{ phone: '493333', userId: 'DE.C' },
		]);
		await store.contacts.retire(scope, ['DE.A', 'DE.UNKNOWN']);
		expect(await store.contacts.lookup(scope, ['491111', 'DE.A', '493333'])).toEqual([
			undefined,
			undefined,
			{ phone: '493333', userId: 'DE.C' },
		]);
	});
});

it('memory: pairs count against the store bound like every other entry', async () => {
	const store = new MemoryStore(4);
	await store.contacts.learn(scope, [
		{ phone: '491111', userId: 'DE.A' },
		{ phone: '492222', userId: 'DE.B' },
		{ phone: '493333', userId: 'DE.C' },
	]);
	expect(store.size).toBe(4);
	expect(await store.contacts.lookup(scope, ['491111', '493333'])).toEqual([undefined, { phone: '493333', userId: 'DE.C' }]);
});
