/** Thrown by `Slots.run` when every slot is taken and the waiting line is full. */
export class SlotsFull extends Error {}

/** At most `size` tasks at once and at most `maxWaiting` waiting for a turn; past that a task is refused at once. */
export class Slots {
	private active = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(
		private readonly size: number,
		private readonly maxWaiting: number,
	) {}

	async run<T>(task: () => Promise<T>): Promise<T> {
		if (this.active >= this.size) {
			if (this.waiting.length >= this.maxWaiting) throw new SlotsFull(`${this.active} running and ${this.waiting.length} waiting`);
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		} else {
			this.active++;
		}
		try {
			return await task();
		} finally {
			// The slot passes straight to the next in line, or is freed.
			const next = this.waiting.shift();
			if (next) next();
			else this.active--;
		}
	}
}
