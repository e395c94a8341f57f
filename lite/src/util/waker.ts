/** An interruptible sleep for a background loop: `wake()` ends the current (or next) sleep early, `stop()` ends it for good. */
export class Waker {
	private stopped_ = false;
	private woken = false;
	private interrupt?: () => void;

	get stopped(): boolean {
		return this.stopped_;
	}

	sleep(ms: number): Promise<void> {
		if (this.woken || this.stopped_) {
			this.woken = false;
			return Promise.resolve();
		}
		return new Promise((resolve) => {
			const done = () => {
				clearTimeout(timer);
				this.interrupt = undefined;
				resolve();
			};
			const timer = setTimeout(done, ms);
			this.interrupt = done;
		});
	}

	/** A wake-up that arrives while the loop is busy is kept for its next sleep, so none is lost. */
	wake(): void {
		if (this.interrupt) this.interrupt();
		else this.woken = true;
	}

	stop(): void {
		this.stopped_ = true;
		this.wake();
	}
}
