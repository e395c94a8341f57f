import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventName } from './registry';

/** One event on its way to one webhook. */
export interface Delivery {
	id: string;
	url: string;
	/** Whom it is for (a webhook or relay subscriber ID); lines written before it existed have none. */
	target?: string;
	body: string;
	/** Attempts made so far. */
	attempt: number;
	dueAt: number;
}

/** An event raised before the registry could be read: its targets are found later. */
export interface UntargetedEvent {
	id: string;
	event: EventName;
	body: string;
}

/** `at`: when a delivery finished, on the lines of an outbox that remembers finished deliveries. */
type Line = { delivery: Delivery } | { event: UntargetedEvent } | { done: string; at?: number };

/** How long, and how many, finished deliveries an outbox remembers, so the same delivery is not recorded again. */
export interface FinishedMemory {
	ms: number;
	max: number;
}

/**
 * Webhook events not yet delivered, in a local append-only file (one JSON line per change; the last line of an
 * ID wins). Why a file and not a Redis list: events must be kept while Redis is unreachable (a `message` or an
 * ack arriving during an outage), so Redis cannot hold them, and a Redis list with an in-memory spill would lose
 * the spill on a crash during the outage. The file survives the outage and a restart (kill -9 too: each line is
 * one write(2) before `emit` returns). A crash of the machine can lose the last lines, not more: an fsync per
 * event would cost a disk flush per message and ack, while the rare rewrite is flushed before it replaces the
 * file. It belongs to this process (one gateway per suit and STATE_DIR), is rewritten compactly on start and
 * whenever it grows past twice its live entries, and holds at most `max` entries and `maxBytes` of event bodies: past
 * either the oldest is dropped, with `onDrop`.
 */
export class Outbox {
	private readonly deliveries = new Map<string, Delivery>();
	private readonly untargeted = new Map<string, UntargetedEvent>();
	/** Finished delivery IDs and when, oldest first (only with a FinishedMemory). */
	private readonly finished = new Map<string, number>();
	private fd: number;
	private lines = 0;
	/** Bytes of the bodies of the entries it holds (UTF-16 code units: the JSON text's length). */
	private bytes = 0;

	constructor(
		private readonly file: string,
		private readonly max: number,
		private readonly onDrop: (id: string) => void,
		private readonly memory?: FinishedMemory,
		private readonly maxBytes = Number.POSITIVE_INFINITY,
	) {
		if (existsSync(file)) {
			for (const text of readFileSync(file, 'utf8').split('\n')) this.apply(text);
		}
		this.fd = this.compact();
	}

	/** Replays one line; a line cut short by a crash while it was written is ignored. */
	private apply(text: string): void {
		let line: Line;
		try {
			line = JSON.parse(text) as Line;
		} catch {
			// Cut short by a crash while written: the delivery it began was never acknowledged to anyone.
			return;
		}
		if ('delivery' in line) this.keep(this.deliveries, line.delivery);
		else if ('event' in line) this.keep(this.untargeted, line.event);
		else {
			this.forget(this.deliveries, line.done);
			this.forget(this.untargeted, line.done);
			if (line.at !== undefined) this.remember(line.done, line.at);
		}
	}

	/** Sets an entry (a replaced one keeps its place: age is from the first put), counting its body instead of the old. */
	private keep<Entry extends { id: string; body: string }>(map: Map<string, Entry>, entry: Entry): void {
		this.bytes += entry.body.length - (map.get(entry.id)?.body.length ?? 0);
		map.set(entry.id, entry);
	}

	private forget(map: Map<string, { body: string }>, id: string): boolean {
		const entry = map.get(id);
		if (!entry) return false;
		this.bytes -= entry.body.length;
		return map.delete(id);
	}

	get size(): number {
		return this.deliveries.size + this.untargeted.size;
	}

	has(id: string): boolean {
		return this.deliveries.has(id);
	}

	/** Finished (delivered, given up or dropped) within the FinishedMemory's time. */
	finishedRecently(id: string): boolean {
		const at = this.finished.get(id);
		return at !== undefined && Date.now() - at < this.memory!.ms;
	}

	get(id: string): Delivery | undefined {
		return this.deliveries.get(id);
	}

	pendingDeliveries(): Delivery[] {
		return [...this.deliveries.values()];
	}

	pendingEvents(): UntargetedEvent[] {
		return [...this.untargeted.values()];
	}

	/** Adds a delivery or records its next attempt. */
	put(delivery: Delivery): void {
		this.keep(this.deliveries, delivery);
		this.append({ delivery });
		this.bound();
	}

	putEvent(event: UntargetedEvent): void {
		this.keep(this.untargeted, event);
		this.append({ event });
		this.bound();
	}

	/** Delivered, given up, or (an untargeted event) turned into deliveries. */
	done(id: string): void {
		const wasDelivery = this.forget(this.deliveries, id);
		if (!wasDelivery && !this.forget(this.untargeted, id)) return;
		if (wasDelivery && this.memory) {
			const at = Date.now();
			this.remember(id, at);
			this.append({ done: id, at });
		} else this.append({ done: id });
	}

	private remember(id: string, at: number): void {
		if (!this.memory || Date.now() - at >= this.memory.ms) return;
		this.finished.delete(id);
		this.finished.set(id, at);
		if (this.finished.size > this.memory.max) this.finished.delete(this.finished.keys().next().value!);
	}

	close(): void {
		closeSync(this.fd);
	}

	private append(line: Line): void {
		writeSync(this.fd, `${JSON.stringify(line)}\n`);
		if (++this.lines > 2 * (this.size + this.finished.size) + 1_000) {
			closeSync(this.fd);
			this.fd = this.compact();
		}
	}

	private bound(): void {
		while (this.size > this.max || (this.bytes > this.maxBytes && this.size > 1)) {
			const oldest = this.untargeted.keys().next().value ?? this.deliveries.keys().next().value!;
			this.done(oldest);
			this.onDrop(oldest);
		}
	}

	/** Writes the live entries to a new file and puts it in place atomically (rename); returns its descriptor for appending. */
	private compact(): number {
		const now = Date.now();
		for (const [id, at] of this.finished) if (now - at >= this.memory!.ms) this.finished.delete(id);
		const lines: Line[] = [
			...[...this.finished].map(([id, at]) => ({ done: id, at })),
			...[...this.untargeted.values()].map((event) => ({ event })),
			...[...this.deliveries.values()].map((delivery) => ({ delivery })),
		];
		const fresh = `${this.file}.tmp`;
		const fd = openSync(fresh, 'w');
		for (const line of lines) writeSync(fd, `${JSON.stringify(line)}\n`);
		// On disk before the rename, and the rename itself: else a machine crash could leave the outbox's name on an
		// empty file (every pending event lost), or on the old one while the appends went to the new.
		fsyncSync(fd);
		closeSync(fd);
		renameSync(fresh, this.file);
		syncDirectory(dirname(this.file));
		this.lines = lines.length;
		return openSync(this.file, 'a');
	}
}

function syncDirectory(directory: string): void {
	const fd = openSync(directory, 'r');
	try {
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}
