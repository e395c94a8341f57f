import type { Backend } from '../channel/types';

/** How sends from one sender are spread over time. */
export type Pace =
	/** Cloud API: a steady rate per business phone number. */
	| { kind: 'rate'; messagesPerSecond: number }
	/** Lite: the container keeps one pace per suit for every send, so the nodes add none (docs/lite-api.md). */
	| { kind: 'container' };

export const DEFAULT_CLOUD_RATE = 80;
export const MAX_CLOUD_RATE = 1000;

/**
 * Pacing a hair under the limit: arrivals jitter by a few milliseconds, and at exactly the limit a late send and an
 * early one land in the same second of Meta's window and provoke 130429 (measured by bench/segment-send).
 */
export const RATE_HEADROOM = 0.97;

/** The gap a send at this rate reserves after itself. */
export function gapMs(pace: { messagesPerSecond: number }): number {
	return 1000 / (pace.messagesPerSecond * RATE_HEADROOM);
}

/** In-flight sends needed to keep the rate with up to half a second of latency; one at a time where the container paces. */
export function defaultConcurrency(pace: Pace): number {
	return pace.kind === 'rate' ? Math.min(500, Math.max(1, Math.ceil(pace.messagesPerSecond / 2))) : 1;
}

export function paceKey(backend: Backend, senderId: string): string {
	return `wa_automator:pace:${backend}:${senderId}`;
}

/**
 * How long before its slot a send records that its request leaves (the ledger's "sending"), where that is a round
 * trip to a shared store (Redis), so that the round trip does not delay the request past its slot. A crash within
 * it leaves a recipient marked "may have been sent" that was not: never sent twice, at the cost of at most this
 * long's sends. A process-local store records at the slot itself: one wake-up per send fewer.
 */
export const SLOT_LEAD_MS = 20;

/**
 * Waits for a send's slot at a rate (`reserve` books it), runs `beforeLeaving` up to `leadMs` ahead of it, and
 * returns when the send may leave. Node starts a timer from the event loop's cached time, which lags the clock
 * while the loop is busy, so a timer can fire before the slot: it sleeps again for the rest. A send ready more than
 * the headroom's worth after its slot (the loop was blocked: GC, a loaded machine, a slow store) would leave
 * together with every other send that waited through the stall and overfill one second of Meta's window, so it
 * books a new slot, once (bench/README.md, "Reading these results").
 */
export async function waitForSlot(
	reserve: () => Promise<number>,
	sleep: (ms: number) => Promise<void>,
	beforeLeaving: () => Promise<void>,
	leadMs = SLOT_LEAD_MS,
	now = Date.now,
): Promise<void> {
	const lateToleranceMs = 1000 * (1 - RATE_HEADROOM);
	const sleepUntil = async (at: number) => {
		for (let wait = at - now(); wait > 0; wait = at - now()) await sleep(wait);
	};
	const slot = await reserve();
	await sleepUntil(slot - leadMs);
	await beforeLeaving();
	await sleepUntil(slot);
	if (now() - slot > lateToleranceMs) await sleepUntil(await reserve());
}

/**
 * The sends of one segment that left within the last second, counted the way Meta counts them: however late their
 * slots were reached (a stall of the event loop, a loaded machine), no more than the limit leave within any one
 * second. Slots spread the sends (across executions and workers); this keeps a stall from bunching them.
 */
export class DepartureWindow {
	private readonly departures: number[] = [];
	private first = 0;

	/**
	 * Counts a send as leaving now and returns 0 when fewer than `limit` left within the last second; otherwise
	 * counts nothing and returns how long to wait. Synchronous, so the caller sends in the same step it was counted.
	 */
	leave(limit: number, now = Date.now()): number {
		while (this.first < this.departures.length && this.departures[this.first] <= now - 1000) this.first++;
		if (this.first > 1024) {
			this.departures.splice(0, this.first);
			this.first = 0;
		}
		if (this.departures.length - this.first < limit) {
			this.departures.push(now);
			return 0;
		}
		return this.departures[this.departures.length - limit] + 1000 - now;
	}
}

/** The most sends per second a window lets leave at a rate: the pace's own, so a stall is never made up in a burst. */
export function departuresPerSecond(pace: { messagesPerSecond: number }): number {
	return Math.max(1, Math.floor(pace.messagesPerSecond * RATE_HEADROOM));
}
