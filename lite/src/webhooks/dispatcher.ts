import { randomUUID } from 'node:crypto';
import { liteSignatureHeader } from '../../../nodes/whatsapp/inbound/signatures';
import { errorText, type Logger } from '../log';
import type { Metrics } from '../metrics';
import type { WebhookPost } from '../outbound/webhook';
import type { EventName, WebhookRegistry } from './registry';

export interface DispatcherOptions {
	suitId: string;
	/** Without it events go out unsigned (the start-up log says so). */
	secret?: string;
	maxAttempts: number;
	retryBaseMs: number;
	post: WebhookPost;
	log: Logger;
	metrics: Metrics;
}

const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Posts events to the registered webhooks in the background: signed, retried with exponential backoff, never
 * awaited by a send. Retries live in this process: events still retrying when it stops are lost.
 */
export class WebhookDispatcher {
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly inFlight = new Set<AbortController>();
	private stopped = false;

	constructor(
		private readonly registry: WebhookRegistry,
		private readonly options: DispatcherOptions,
	) {}

	emit(event: EventName, data: object): void {
		this.fanOut(event, data).catch((error) => this.options.log.error(`Could not dispatch a ${event} event: ${errorText(error)}`));
	}

	stop(): void {
		this.stopped = true;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const controller of this.inFlight) controller.abort();
	}

	private async fanOut(event: EventName, data: object): Promise<void> {
		const targets = (await this.registry.list()).filter((webhook) => webhook.events.includes(event));
		if (targets.length === 0) return;
		const body = JSON.stringify({ id: `evt_${randomUUID().replace(/-/g, '')}`, event, suitId: this.options.suitId, timestamp: new Date().toISOString(), data });
		for (const target of targets) void this.attempt(target.url, body, 1);
	}

	private async attempt(url: string, body: string, attempt: number): Promise<void> {
		if (this.stopped) return;
		const outcome = await this.post(url, body);
		if (outcome === 'delivered' || this.stopped) return;
		if (attempt >= this.options.maxAttempts) {
			this.options.metrics.webhookFailures++;
			this.options.log.warn(`Gave up delivering an event to ${origin(url)} after ${attempt} attempts (${outcome})`);
			return;
		}
		const delay = Math.min(this.options.retryBaseMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			void this.attempt(url, body, attempt + 1);
		}, delay);
		this.timers.add(timer);
	}

	/** 'delivered' on a 2xx; otherwise why not. A fresh signature each attempt keeps `t` within the receiver's window. */
	private async post(url: string, body: string): Promise<string> {
		const controller = new AbortController();
		this.inFlight.add(controller);
		const { secret } = this.options;
		const headers: Record<string, string> = { 'Content-Type': 'application/json' };
		if (secret) headers['X-Lite-Signature'] = liteSignatureHeader(secret, body, Math.floor(Date.now() / 1000));
		try {
			const status = await this.options.post(url, body, headers, controller.signal);
			return status >= 200 && status < 300 ? 'delivered' : `HTTP ${status}`;
		} catch (error) {
			return errorText(error);
		} finally {
			this.inFlight.delete(controller);
		}
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
