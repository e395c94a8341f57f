import { randomUUID } from 'node:crypto';
import { liteSignatureHeader } from '../../../nodes/whatsapp/inbound/signatures';
import { errorText, type Logger } from '../log';
import type { Metrics } from '../metrics';
import type { WebhookPost } from '../outbound/webhook';
import type { Delivery, Outbox } from './outbox';
import type { EventName, Webhook, WebhookRegistry } from './registry';

export interface DispatcherOptions {
	suitId: string;
	/** The linked WhatsApp account's number (digits) while the session knows it; events carry it as `account`. */
	account: () => string | undefined;
	/** Without it events go out unsigned (the start-up log says so). */
	secret?: string;
	maxAttempts: number;
	retryBaseMs: number;
	post: WebhookPost;
	/** Deliveries in flight at once; the rest wait in the outbox. */
	maxConcurrent: number;
	log: Logger;
	metrics: Metrics;
}

const MAX_BACKOFF_MS = 5 * 60_000;
/** How often to try reading the registry again while Redis is unavailable at start. */
const REGISTRY_RETRY_MS = 1_000;

/**
 * Posts events to the registered webhooks in the background: signed, retried with exponential backoff, never
 * awaited by a send. Every event is in the outbox (a local file) before `emit` returns, and stays there until it
 * is delivered or given up, so a Redis outage or a restart loses none and retries continue after a restart.
 */
export class WebhookDispatcher {
	/** Deliveries due now, oldest first. */
	private readonly ready = new Set<string>();
	private readonly timers = new Map<string, NodeJS.Timeout>();
	private readonly inFlight = new Set<AbortController>();
	private registryTimer?: NodeJS.Timeout;
	private stopped = false;

	constructor(
		private readonly registry: WebhookRegistry,
		private readonly outbox: Outbox,
		private readonly options: DispatcherOptions,
	) {}

	/** Picks up what the outbox kept from before (retries continue) and reads the registry. */
	start(): void {
		for (const delivery of this.outbox.pendingDeliveries()) this.schedule(delivery);
		void this.loadRegistry();
	}

	/** `id`: the event's ID when a repeated report of the same fact must be the same event (else a new one). */
	emit(event: EventName, data: object, id = `evt_${randomUUID().replace(/-/g, '')}`): void {
		if (this.stopped) {
			this.options.log.warn(`A ${event} event raised while the gateway stops is not kept`);
			return;
		}
		const account = this.options.account();
		const body = JSON.stringify({
			id,
			event,
			suitId: this.options.suitId,
			...(account && { account }),
			timestamp: new Date().toISOString(),
			data,
		});
		const targets = this.registry.cached();
		if (targets) this.fanOut(id, event, body, targets);
		else this.outbox.putEvent({ id, event, body });
	}

	stop(): void {
		this.stopped = true;
		clearTimeout(this.registryTimer);
		for (const timer of this.timers.values()) clearTimeout(timer);
		this.timers.clear();
		// Deliveries cut short stay in the outbox: they are tried again after the restart.
		for (const controller of this.inFlight) controller.abort();
		this.outbox.close();
	}

	private fanOut(id: string, event: EventName, body: string, targets: Webhook[]): void {
		for (const target of targets.filter((webhook) => webhook.events.includes(event))) {
			const deliveryId = `${id}:${target.id}`;
			if (this.outbox.has(deliveryId)) continue;
			const delivery: Delivery = { id: deliveryId, url: target.url, body, attempt: 0, dueAt: Date.now() };
			this.outbox.put(delivery);
			this.schedule(delivery);
		}
	}

	/** Reads the registry until Redis answers, then finds the targets of events raised before. */
	private async loadRegistry(): Promise<void> {
		if (this.stopped) return;
		try {
			const targets = await this.registry.list();
			for (const pending of this.outbox.pendingEvents()) {
				this.fanOut(pending.id, pending.event, pending.body, targets);
				this.outbox.done(pending.id);
			}
		} catch (error) {
			this.options.log.warn(`Webhook registry not readable yet (${errorText(error)}): events are kept in the outbox`);
			this.registryTimer = setTimeout(() => void this.loadRegistry(), REGISTRY_RETRY_MS);
		}
	}

	private schedule(delivery: Delivery): void {
		const wait = delivery.dueAt - Date.now();
		if (wait <= 0) {
			this.ready.add(delivery.id);
			this.pump();
			return;
		}
		const timer = setTimeout(() => {
			this.timers.delete(delivery.id);
			this.ready.add(delivery.id);
			this.pump();
		}, wait);
		this.timers.set(delivery.id, timer);
	}

	/** Starts due deliveries while fewer than maxConcurrent are in flight. */
	private pump(): void {
		for (const id of this.ready) {
			if (this.stopped || this.inFlight.size >= this.options.maxConcurrent) return;
			this.ready.delete(id);
			const delivery = this.outbox.get(id);
			if (delivery) void this.attempt(delivery);
		}
	}

	private async attempt(delivery: Delivery): Promise<void> {
		const controller = new AbortController();
		this.inFlight.add(controller);
		const outcome = await this.post(delivery, controller);
		if (this.stopped) return;
		const attempt = delivery.attempt + 1;
		if (outcome === 'delivered') {
			this.outbox.done(delivery.id);
		} else if (attempt >= this.options.maxAttempts) {
			this.outbox.done(delivery.id);
			this.options.metrics.webhookFailures++;
			this.options.log.warn(`Gave up delivering an event to ${origin(delivery.url)} after ${attempt} attempts (${outcome})`);
		} else {
			const next = { ...delivery, attempt, dueAt: Date.now() + Math.min(this.options.retryBaseMs * 2 ** (attempt - 1), MAX_BACKOFF_MS) };
			this.outbox.put(next);
			this.schedule(next);
		}
		this.pump();
	}

	/** 'delivered' for a 2xx, else why not (the post goes through the gateway's outbound policy). */
	private async post(delivery: Delivery, controller: AbortController): Promise<string> {
		try {
			const status = await this.options.post(delivery.url, delivery.body, this.headers(delivery.body), controller.signal);
			return status >= 200 && status < 300 ? 'delivered' : `HTTP ${status}`;
		} catch (error) {
			return errorText(error);
		} finally {
			this.inFlight.delete(controller);
		}
	}

	/** A fresh signature each attempt keeps `t` within the receiver's window. */
	private headers(body: string): Record<string, string> {
		const { secret } = this.options;
		const headers: Record<string, string> = { 'Content-Type': 'application/json' };
		if (secret) headers['X-Lite-Signature'] = liteSignatureHeader(secret, body, Math.floor(Date.now() / 1000));
		return headers;
	}
}

/** Logs show where, never the whole URL (n8n webhook paths work like secrets). */
function origin(url: string): string {
	try {
		return new URL(url).origin;
	} catch {
		return 'an invalid URL';
	}
}
