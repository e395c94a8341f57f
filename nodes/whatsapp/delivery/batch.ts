/** The most calls one batch holds, so a script's arguments and its answer stay small. */
export const MAX_BATCH = 1000;

interface Waiting<I, O> {
	input: I;
	resolve: (output: O) => void;
	reject: (error: unknown) => void;
}

/**
 * Gathers the calls made within one turn of the event loop into one call of `run`: at 1,000 sends per second, a
 * store round trip per send and step costs the n8n process more CPU than the send's request. No timer: the busier
 * the process, the longer its turns and the larger the batches, and an idle one waits for nothing (a timer would
 * wake it once more per send). `run` answers every input, in order; when it fails, every call of the batch fails
 * with its error.
 */
export class Batcher<I, O> {
	private waiting: Array<Waiting<I, O>> = [];
	private scheduled = false;

	constructor(private readonly run: (inputs: I[]) => Promise<O[]>) {}

	add(input: I): Promise<O> {
		return new Promise((resolve, reject) => {
			this.waiting.push({ input, resolve, reject });
			if (this.waiting.length >= MAX_BATCH) this.flush();
			else if (!this.scheduled) {
				this.scheduled = true;
				setImmediate(() => {
					this.scheduled = false;
					this.flush();
				});
			}
		});
	}

	private flush() {
		if (!this.waiting.length) return;
		const batch = this.waiting;
		this.waiting = [];
		this.run(batch.map(({ input }) => input)).then(
			(outputs) => batch.forEach(({ resolve }, index) => resolve(outputs[index])),
			(error) => batch.forEach(({ reject }) => reject(error)),
		);
	}
}
