import fs, { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Outbox, type Delivery } from '../src/webhooks/outbox';
import { stateDir } from './helpers/gateway';

const delivery = (id: string, attempt = 0): Delivery => ({
	id,
	url: 'http://127.0.0.1:1/hook',
	body: `{"id":"${id}"}`,
	attempt,
	dueAt: 1_000 + attempt,
});

describe('the webhook outbox file', () => {
	it('gives back what was pending after a restart, last line of an ID winning, a line cut short by a crash ignored', () => {
		const file = join(stateDir(), 'outbox.jsonl');
		const first = new Outbox(file, 100, () => undefined);
		first.put(delivery('a'));
		first.put(delivery('b'));
		first.put(delivery('b', 1));
		first.putEvent({ id: 'e', event: 'message', body: '{}' });
		first.done('a');
		first.close();
		appendFileSync(file, '{"delivery":{"id":"torn"');
		const second = new Outbox(file, 100, () => undefined);
		expect(second.pendingDeliveries()).toEqual([delivery('b', 1)]);
		expect(second.pendingEvents()).toEqual([{ id: 'e', event: 'message', body: '{}' }]);
		second.close();
	});

	it('holds at most its limit, dropping the oldest with a notice', () => {
		const dropped: string[] = [];
		const outbox = new Outbox(join(stateDir(), 'outbox.jsonl'), 2, (id) => dropped.push(id));
		outbox.put(delivery('a'));
		outbox.put(delivery('b'));
		outbox.put(delivery('c'));
		expect(dropped).toEqual(['a']);
		expect(outbox.pendingDeliveries().map((pending) => pending.id)).toEqual(['b', 'c']);
		outbox.close();
	});

	it('holds at most its bytes of event bodies (a retry replacing its delivery counts once), also after a restart', () => {
		const file = join(stateDir(), 'outbox.jsonl');
		const dropped: string[] = [];
		const sized = (id: string, attempt = 0): Delivery => ({ ...delivery(id, attempt), body: id.repeat(40) });
		const first = new Outbox(file, 100, (id) => dropped.push(id), undefined, 100);
		first.put(sized('a'));
		first.put(sized('b'));
		first.put(sized('b', 1));
		expect(dropped).toEqual([]);
		first.put(sized('c'));
		expect(dropped).toEqual(['a']);
		first.close();
		const second = new Outbox(file, 100, (id) => dropped.push(id), undefined, 100);
		second.put(sized('d'));
		expect(dropped).toEqual(['a', 'b']);
		expect(second.pendingDeliveries().map((pending) => pending.id)).toEqual(['c', 'd']);
		second.close();
	});

	it('stays small: rewritten once it grows past twice its live entries', () => {
		const file = join(stateDir(), 'outbox.jsonl');
		const outbox = new Outbox(file, 100, () => undefined);
		for (let i = 0; i < 3_000; i++) {
			outbox.put(delivery(`d${i}`));
			outbox.done(`d${i}`);
		}
		outbox.put(delivery('kept'));
		outbox.close();
		expect(readFileSync(file, 'utf8').split('\n').filter(Boolean).length).toBeLessThan(2_000);
		const reopened = new Outbox(file, 100, () => undefined);
		expect(reopened.pendingDeliveries()).toEqual([delivery('kept')]);
		reopened.close();
	});

	it('flushes a rewrite to disk before it replaces the file, and then the rename (a machine crash loses no more than the last lines)', () => {
		const file = join(stateDir(), 'outbox.jsonl');
		const fsync = jest.spyOn(fs, 'fsyncSync');
		const rename = jest.spyOn(fs, 'renameSync');
		new Outbox(file, 100, () => undefined).close(); // a fresh outbox is written by a rewrite
		const calls = (name: string, spy: jest.SpyInstance) => spy.mock.invocationCallOrder.map((order) => ({ order, name }));
		const seen = [...calls('fsync', fsync), ...calls('rename', rename)].sort((a, b) => a.order - b.order).map(({ name }) => name);
		fsync.mockRestore();
		rename.mockRestore();
		expect(seen).toEqual(['fsync', 'rename', 'fsync']);
	});
});
