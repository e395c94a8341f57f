import { randomUUID } from 'node:crypto';
import { liteSignatureHeader } from '../../../contract/signatures';
import { causeOf, type Logger } from '../../../contract/log';
import type { Metrics } from '../metrics';
import type { WebhookPost } from '../outbound/webhook';
import { DeliveryQueue, origin } from './deliveries';
import type { Outbox } from './outbox';
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

/** How often to try reading the registry again while Redis is unavailable at start. */
const REGISTRY_RETRY_MS = 1_000;

/**
 * Posts events to the registered webhooks in the background: signed, retried with exponential backoff, never
 * awaited by a send. Every event is in the outbox (a local file) before `emit` returns, and stays there until it
 * is delivered or given up, so a Redis outage or a restart loses none and retries continue after a restart.
 */
export class WebhookDispatcher {
	private readonly queue: DeliveryQueue;
	private registryTimer?: NodeJS.Timeout;
	private stopped = false;

	constructor(
		private readonly registry: WebhookRegistry,
		private readonly outbox: Outbox,
		private readonly options: DispatcherOptions,
	) {
		this.queue = new DeliveryQueue(outbox, {
			...options,
			maxConcurrentPerTarget: options.maxConcurrent,
			maxPerTarget: Infinity,
			headers: (delivery) => this.headers(delivery.body),
			dropped: (delivery, why) => {
				options.metrics.webhookFailures++;
				options.log.warn(`Gave up delivering an event to ${origin(delivery.url)}: ${why}`);
			},
		});
	}

	/** Picks up what the outbox kept from before (retries continue) and reads the registry. */
	start(): void {
		this.queue.start();
		void this.loadRegistry();
	}

	/** The outbox dropped a delivery to keep its bound. */
	forget(id: string): void {
		this.queue.forget(id);
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
		this.queue.stop();
		this.outbox.close();
	}

	private fanOut(id: string, event: EventName, body: string, targets: Webhook[]): void {
		for (const target of targets.filter((webhook) => webhook.events.includes(event))) {
			this.queue.add({ id: `${id}:${target.id}`, url: target.url, target: target.id, body, attempt: 0, dueAt: Date.now() });
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
			this.options.log.warn('Webhook registry not readable yet: events are kept in the outbox', causeOf(error));
			this.registryTimer = setTimeout(() => void this.loadRegistry(), REGISTRY_RETRY_MS);
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
