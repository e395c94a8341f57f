import { errorMessage } from '../../../contract/log';
import type { WebhookPost } from '../outbound/webhook';
import type { Delivery, Outbox } from './outbox';

export interface DeliveryQueueOptions {
	maxAttempts: number;
	retryBaseMs: number;
	post: WebhookPost;
	/** Deliveries in flight at once; the rest wait in the outbox. */
	maxConcurrent: number;
	/** In flight at once for one target, so a slow or dead target leaves the other slots to the rest. */
	maxConcurrentPerTarget: number;
	/** Deliveries kept for one target; past it the target's oldest is dropped (`dropped`). */
	maxPerTarget: number;
	/** The headers of one attempt (signed now); undefined when the target is gone: the delivery is dropped. */
	headers(delivery: Delivery): Record<string, string> | undefined;
	/** A delivery given up after its last attempt, or dropped to keep a target's bound. */
	dropped(delivery: Delivery, why: string): void;
	/** A target answered 2xx; called before the outbox forgets the delivery (the relay's fault point). */
	delivered?(delivery: Delivery): void;
}

const MAX_BACKOFF_MS = 5 * 60_000;

/** Older outbox lines have no target: their URL is one. */
export const targetOf = (delivery: Delivery): string => delivery.target ?? delivery.url;

/**
 * Posts the outbox's deliveries in the background: retried with exponential backoff, at most `maxConcurrent` at
 * once and `maxConcurrentPerTarget` per target (taken in turns), at most `maxPerTarget` kept per target. A
 * delivery leaves the outbox only when its target answered 2xx, it was given up, or its target is gone, so a
 * restart picks up what was left.
 */
export class DeliveryQueue {
	/** Per target, the deliveries kept (oldest first) and those due now. */
	private readonly kept = new Map<string, Set<string>>();
	private readonly due = new Map<string, Set<string>>();
	private readonly timers = new Map<string, NodeJS.Timeout>();
	private readonly inFlight = new Map<string, AbortController>();
	private readonly inFlightPerTarget = new Map<string, number>();
	private stopped = false;

	constructor(
		private readonly outbox: Outbox,
		private readonly options: DeliveryQueueOptions,
	) {}

	/** Picks up what the outbox kept from before (retries continue). */
	start(): void {
		for (const delivery of this.outbox.pendingDeliveries()) {
			// Added (and scheduled) since the outbox was read: not twice.
			if (this.kept.get(targetOf(delivery))?.has(delivery.id)) continue;
			this.track(delivery);
			this.schedule(delivery);
		}
	}

	/** Records a new delivery in the outbox (one write) and schedules it; false when it is there or finished recently. */
	add(delivery: Delivery): boolean {
		if (this.stopped || this.outbox.has(delivery.id) || this.outbox.finishedRecently(delivery.id)) return false;
		const target = targetOf(delivery);
		const kept = this.kept.get(target);
		if (kept && kept.size >= this.options.maxPerTarget) {
			// The oldest waiting one: those in flight hold a slot until they end anyway.
			const oldest = this.outbox.get([...kept].find((id) => !this.inFlight.has(id)) ?? kept.values().next().value!);
			if (oldest) this.drop(oldest, `more than ${this.options.maxPerTarget} deliveries waiting for this target`);
		}
		this.outbox.put(delivery);
		this.track(delivery);
		this.schedule(delivery);
		return true;
	}

	/** Deliveries waiting (due, scheduled for a retry or in flight) per target. */
	backlog(): Map<string, number> {
		return new Map([...this.kept].map(([target, ids]) => [target, ids.size]));
	}

	/** Forgets every delivery of a target (unregistered): none is tried again. */
	removeTarget(target: string): void {
		for (const id of [...(this.kept.get(target) ?? [])]) this.forget(id);
	}

	/** Forgets one delivery and takes it out of the outbox (the outbox dropped it itself: already out). */
	forget(id: string): void {
		const delivery = this.outbox.get(id);
		clearTimeout(this.timers.get(id));
		this.timers.delete(id);
		this.inFlight.get(id)?.abort();
		for (const sets of [this.kept, this.due]) {
			for (const [target, ids] of sets) if (ids.delete(id) && ids.size === 0) sets.delete(target);
		}
		if (delivery) this.outbox.done(id);
	}

	stop(): void {
		this.stopped = true;
		for (const timer of this.timers.values()) clearTimeout(timer);
		this.timers.clear();
		// Deliveries cut short stay in the outbox: they are tried again after the restart.
		for (const controller of this.inFlight.values()) controller.abort();
	}

	private track(delivery: Delivery): void {
		const target = targetOf(delivery);
		let ids = this.kept.get(target);
		if (!ids) this.kept.set(target, (ids = new Set()));
		ids.add(delivery.id);
	}

	private drop(delivery: Delivery, why: string): void {
		this.forget(delivery.id);
		this.options.dropped(delivery, why);
	}

	private schedule(delivery: Delivery): void {
		const makeDue = () => {
			this.timers.delete(delivery.id);
			const target = targetOf(delivery);
			let ids = this.due.get(target);
			if (!ids) this.due.set(target, (ids = new Set()));
			ids.add(delivery.id);
			this.pump();
		};
		const wait = delivery.dueAt - Date.now();
		if (wait <= 0) makeDue();
		else this.timers.set(delivery.id, setTimeout(makeDue, wait));
	}

	/** Starts due deliveries, one per target in turn, while slots are free overall and for the target. */
	private pump(): void {
		let started = true;
		while (started) {
			started = false;
			for (const [target, ids] of this.due) {
				if (this.stopped || this.inFlight.size >= this.options.maxConcurrent) return;
				if ((this.inFlightPerTarget.get(target) ?? 0) >= this.options.maxConcurrentPerTarget) continue;
				const id = ids.values().next().value!;
				ids.delete(id);
				if (ids.size === 0) this.due.delete(target);
				const delivery = this.outbox.get(id);
				if (!delivery) continue;
				void this.attempt(delivery);
				started = true;
			}
		}
	}

	private async attempt(delivery: Delivery): Promise<void> {
		const headers = this.options.headers(delivery);
		if (!headers) return this.forget(delivery.id);
		const target = targetOf(delivery);
		const controller = new AbortController();
		this.inFlight.set(delivery.id, controller);
		this.inFlightPerTarget.set(target, (this.inFlightPerTarget.get(target) ?? 0) + 1);
		const outcome = await this.post(delivery, headers, controller.signal);
		this.inFlight.delete(delivery.id);
		const left = (this.inFlightPerTarget.get(target) ?? 1) - 1;
		if (left > 0) this.inFlightPerTarget.set(target, left);
		else this.inFlightPerTarget.delete(target);
		if (this.stopped) return;
		// Dropped or unregistered meanwhile: already out of the outbox.
		if (this.outbox.has(delivery.id)) this.settle(delivery, outcome);
		this.pump();
	}

	/** Records an attempt's outcome: finished, given up, or the next attempt. */
	private settle(delivery: Delivery, outcome: string): void {
		const attempt = delivery.attempt + 1;
		if (outcome === 'delivered') {
			this.options.delivered?.(delivery);
			this.forget(delivery.id);
		} else if (attempt >= this.options.maxAttempts) {
			this.drop(delivery, `given up after ${attempt} attempts (${outcome})`);
		} else {
			const next = { ...delivery, attempt, dueAt: Date.now() + Math.min(this.options.retryBaseMs * 2 ** (attempt - 1), MAX_BACKOFF_MS) };
			this.outbox.put(next);
			this.schedule(next);
		}
	}

	/** 'delivered' for a 2xx, else why not (the post goes through the gateway's outbound policy). */
	private async post(delivery: Delivery, headers: Record<string, string>, signal: AbortSignal): Promise<string> {
		try {
			const status = await this.options.post(delivery.url, delivery.body, headers, signal);
			return status >= 200 && status < 300 ? 'delivered' : `HTTP ${status}`;
		} catch (error) {
			return errorMessage(error);
		}
	}
}

/** Logs show where, never the whole URL (n8n webhook paths work like secrets). */
export function origin(url: string): string {
	try {
		return new URL(url).origin;
	} catch {
		// Only a description of the URL for a log line.
		return 'an invalid URL';
	}
}
