import { MemoryStore } from '../../nodes/whatsapp/store/memory';

/**
 * The in-process store's memory probe (issue 10, item 5): 300,000 entries with a 1 s TTL used to stay until each
 * was read again (63 MB). Expired entries are now swept on writes and the entry count is bounded.
 */
let now = Date.UTC(2026, 0, 1);
let clock: jest.SpyInstance;
beforeEach(() => {
	clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
});
afterEach(() => clock.mockRestore());

/** The trigger's de-duplication write: claims a key for one delivery and makes it final; true when it was new. */
async function claimOnce(store: MemoryStore, key: string, ttlSeconds: number): Promise<boolean> {
	const claims = await store.claimDelivery([key], 'delivery', ttlSeconds);
	if (claims === 'busy') throw new Error(`${key} is held by a pending delivery`);
	await store.confirmDelivery([{ key, ttlSeconds }], 'delivery');
	return claims[0] === 'new';
}

it('sweeps expired entries while 300,000 short-lived ones are written, and all of them on a later write', async () => {
	const store = new MemoryStore();
	let largest = 0;
	for (let i = 0; i < 300_000; i++) {
		if (i % 10_000 === 0) now += 1_000; // 10,000 writes a second
		await claimOnce(store, `dedupe:${i}`, 1);
		largest = Math.max(largest, store.size);
	}
	// At most one sweep interval (10 s) of writes plus their 1 s TTL is ever kept.
	expect(largest).toBeLessThanOrEqual(110_000);
	now += 11_000;
	await claimOnce(store, 'dedupe:later', 1);
	expect(store.size).toBe(1);
});

it('drops the least recently written entries first past its bound, keeping the rest intact', async () => {
	const store = new MemoryStore(3);
	for (const key of ['a', 'b', 'c']) await claimOnce(store, key, 3600);
	await store.reserveQuota('a-quota', 10, 3600);
	expect(store.size).toBe(3);
	// "a" was the oldest write: it is gone (claimable again); "b" went next, when "a" was claimed again.
	expect(await claimOnce(store, 'a', 3600)).toBe(true);
	expect(await claimOnce(store, 'c', 3600)).toBe(false);
	expect(await store.reserveQuota('a-quota', 10, 3600)).toEqual({ granted: true, used: 2 });
	expect(await claimOnce(store, 'b', 3600)).toBe(true);
	expect(store.size).toBe(3);
});

it('holds at most its bound when long-lived entries keep coming', async () => {
	const store = new MemoryStore(10_000);
	for (let i = 0; i < 300_000; i++) await claimOnce(store, `flood:${i}`, 86_400);
	expect(store.size).toBe(10_000);
	expect(await claimOnce(store, 'flood:299999', 86_400)).toBe(false);
	expect(await claimOnce(store, 'flood:0', 86_400)).toBe(true);
});
