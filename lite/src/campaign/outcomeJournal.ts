import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { QueuedReceiver } from './bulkRequest';
import type { Outcome, PaceFrom } from './store';

export interface PendingOutcome {
	campaignId: string;
	receiver: QueuedReceiver;
	outcome: Outcome;
	/** Set when the driver answered (the message went out, or may have). */
	paceFrom?: PaceFrom;
}

/**
 * The outcome of the one campaign send in progress, written to a local file the moment the driver answers and
 * removed once Redis has it. A kill -9 or a Redis outage between the send and the record then still ends in
 * `sent` with its message ID (not `unknown`); the worker sends one receiver at a time, so one file is enough.
 */
export class OutcomeJournal {
	constructor(private readonly file: string) {}

	save(entry: PendingOutcome): void {
		writeFileSync(this.file, JSON.stringify(entry));
	}

	load(): PendingOutcome | undefined {
		try {
			return JSON.parse(readFileSync(this.file, 'utf8')) as PendingOutcome;
		} catch {
			// No file (nothing pending), or a write cut short by a crash: the receiver stays `sending` and the recovery reports it `unknown`.
			return undefined;
		}
	}

	clear(): void {
		rmSync(this.file, { force: true });
	}
}
