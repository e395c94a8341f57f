import { Batcher, MAX_BATCH } from '../../nodes/whatsapp/delivery/batch';

/** A batcher whose run records each batch it got and answers every input doubled. */
function doubling() {
	const batches: number[][] = [];
	const batcher = new Batcher(async (inputs: number[]) => {
		batches.push(inputs);
		return inputs.map((input) => input * 2);
	});
	return { batches, batcher };
}

test('the calls of one turn of the event loop go in one batch, each answered with its own output, in order; the next turn starts another', async () => {
	const { batches, batcher } = doubling();
	const sameTurn = Promise.all([batcher.add(1), Promise.resolve().then(() => batcher.add(2)), batcher.add(3)]);
	expect(await sameTurn).toEqual([2, 4, 6]);
	expect(await batcher.add(4)).toBe(8);
	expect(batches).toEqual([[1, 3, 2], [4]]);
});

test('a batch is sent as soon as it is full, and what follows goes in the next one', async () => {
	const { batches, batcher } = doubling();
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
	});
	const calls = [batcher.add('a'), batcher.add('b')];
	for (const call of calls) await expect(call).rejects.toThrow('Redis went away');
	fail = false;
	expect(await batcher.add('c')).toBe('c');
});
