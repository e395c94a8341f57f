import { Batcher, MAX_BATCH } from '../../nodes/whatsapp/delivery/batch';

/** A batcher whose run records each batch it got and answers every input doubled. */
function doubling(windowMs: number) {
	const batches: number[][] = [];
	const batcher = new Batcher(async (inputs: number[]) => {
		batches.push(inputs);
		return inputs.map((input) => input * 2);
	}, windowMs);
	return { batches, batcher };
}

test('calls within the window go in one batch, each answered with its own output, in order', async () => {
	const { batches, batcher } = doubling(20);
	const first = [batcher.add(1), batcher.add(2)];
	await new Promise((resolve) => setTimeout(resolve, 5));
	const late = batcher.add(3);
	expect(await Promise.all([...first, late])).toEqual([2, 4, 6]);
	expect(batches).toEqual([[1, 2, 3]]);

	// After the flush a new call starts a new batch.
	expect(await batcher.add(4)).toBe(8);
	expect(batches).toEqual([[1, 2, 3], [4]]);
});

test('with no window, the calls of one turn of the event loop go together, and the next turn starts another batch', async () => {
	const { batches, batcher } = doubling(0);
	const sameTurn = Promise.all([batcher.add(1), Promise.resolve().then(() => batcher.add(2))]);
	expect(await sameTurn).toEqual([2, 4]);
	expect(await batcher.add(3)).toBe(6);
	expect(batches).toEqual([[1, 2], [3]]);
});

test('a batch is sent as soon as it is full, and what follows goes in the next one', async () => {
	const { batches, batcher } = doubling(50);
	const calls = Array.from({ length: MAX_BATCH + 1 }, (_, index) => batcher.add(index));
	await Promise.all(calls.slice(0, MAX_BATCH));
	expect(batches.map((batch) => batch.length)).toEqual([MAX_BATCH]);
	expect(await calls[MAX_BATCH]).toBe(2 * MAX_BATCH);
	expect(batches.map((batch) => batch.length)).toEqual([MAX_BATCH, 1]);
});

test("a failed run fails every call of its batch with the run's error, and later batches run again", async () => {
	let fail = true;
	const batcher = new Batcher(async (inputs: string[]) => {
		if (fail) throw new Error('Redis went away');
		return inputs;
	}, 5);
	const calls = [batcher.add('a'), batcher.add('b')];
	for (const call of calls) await expect(call).rejects.toThrow('Redis went away');
	fail = false;
	expect(await batcher.add('c')).toBe('c');
});
