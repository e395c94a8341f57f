import { liteSignatureHeader } from '../../../contract/signatures';
import { crashPoint } from '../faults';
import { causeOf, type Logger } from '../../../contract/log';
import type { WebhookPost } from '../outbound/webhook';
import type { Kv } from '../store/kv';
import { DeliveryQueue, origin } from '../webhooks/deliveries';
import { Outbox } from '../webhooks/outbox';
import { Registry, type Registered } from '../webhooks/registry';
import { cutDown, deliveryId, matches, readDelivery, type RelayFilter } from './envelope';
import type { RelaySettings } from './settings';

/** What a subscriber registered: its filter, the app it listens to (every app when absent) and its signing secret. */
export interface SubscriberWants extends RelayFilter {
	app?: string;
	/** Signs its deliveries (X-Relay-Signature). Never answered or logged. */
	secret: string;
}

export type Subscriber = Registered & SubscriberWants;

export interface RelayOptions extends RelaySettings {
	kv: Kv;
	registryKey: string;
	outboxFile: string;
	post: WebhookPost;
	maxAttempts: number;
	retryBaseMs: number;
	maxConcurrent: number;
	log: Logger;
}

/** Counters for /metrics and the status page. */
export interface RelayCounts {
	/** Signed POSTs recorded and answered 2xx. */
	accepted: number;
	/** POSTs refused for their signature (401). */
	refused: number;
	/** Deliveries not recorded again: Meta's redelivery of events already recorded for that subscriber. */
	duplicates: number;
	/** Deliveries a subscriber answered 2xx. */
	delivered: number;
	/** Deliveries given up or dropped to keep a subscriber's bound. */
	dropped: number;
}

/** For the status page and /metrics. */
export interface RelayStatus extends RelayCounts {
	subscribers: Array<{ id: string; backlog: number }>;
}

export type Acceptance = 'accepted' | 'not-whatsapp' | 'unavailable';

const REGISTRY_RETRY_MS = 1_000;
/** Finished deliveries remembered (each about 150 bytes), within RELAY_DEDUPE_HOURS. */
const FINISHED_REMEMBERED = 100_000;

/**
 * The Cloud webhook relay: a verified Meta delivery is cut down per subscriber (its filter) and each subscriber's
 * part recorded in the relay's outbox before Meta gets its 2xx; the deliveries then go out in the background,
 * signed with the subscriber's secret, retried, bounded per subscriber (DeliveryQueue).
 */
export class Relay {
	readonly registry: Registry<SubscriberWants>;
	readonly counts: RelayCounts = { accepted: 0, refused: 0, duplicates: 0, delivered: 0, dropped: 0 };
	private readonly outbox: Outbox;
	private readonly queue: DeliveryQueue;
	private registryTimer?: NodeJS.Timeout;
	private stopped = false;

	constructor(private readonly options: RelayOptions) {
		this.registry = new Registry<SubscriberWants>(options.kv, options.registryKey, 'sub_');
		// Each subscriber keeps at most its own bound, so the file's bound is only a backstop. Finished deliveries
		// are remembered (in the file too), so Meta's redelivery of events already recorded is not recorded again.
		const bound = options.relayMaxSubscribers * options.relaySubscriberBacklogMax;
		const onDrop = (id: string) => {
			this.queue.forget(id);
			this.counts.dropped++;
			options.log.error(`Relay outbox full: dropped the delivery ${id}`);
		};
		this.outbox = new Outbox(options.outboxFile, bound, onDrop, { ms: options.relayDedupeSeconds * 1000, max: FINISHED_REMEMBERED });
		this.queue = new DeliveryQueue(this.outbox, {
			maxAttempts: options.maxAttempts,
			retryBaseMs: options.retryBaseMs,
			post: options.post,
			maxConcurrent: options.maxConcurrent,
			maxConcurrentPerTarget: options.relaySubscriberConcurrency,
			maxPerTarget: options.relaySubscriberBacklogMax,
			headers: (delivery) => {
				const subscriber = this.registry.cached()?.find((entry) => entry.id === delivery.target);
				if (!subscriber) return undefined;
				const signature = liteSignatureHeader(subscriber.secret, delivery.body, Math.floor(Date.now() / 1000));
				return { 'Content-Type': 'application/json', 'X-Relay-Signature': signature };
			},
			dropped: (delivery, why) => {
				this.counts.dropped++;
				options.log.error(`Relay: dropped an event for subscriber ${delivery.target} at ${origin(delivery.url)}: ${why}`);
			},
			delivered: () => {
				this.counts.delivered++;
				crashPoint('relay-delivered');
			},
		});
	}

	/** Reads the subscribers (again every second while Redis does not answer), then sends what the outbox kept. */
	start(): void {
		if (this.stopped) return;
		this.registry.list().then(
			() => this.queue.start(),
			(error: unknown) => {
				this.options.log.warn('Relay subscribers not readable yet: deliveries wait in the outbox', causeOf(error));
				this.registryTimer = setTimeout(() => this.start(), REGISTRY_RETRY_MS);
			},
		);
	}

	stop(): void {
		this.stopped = true;
		clearTimeout(this.registryTimer);
		this.queue.stop();
		this.outbox.close();
	}

	/**
	 * Records a verified delivery of `app` for every subscriber that wants part of it; resolves when every part is in
	 * the outbox (a 2xx for Meta may follow). 'unavailable' when the subscribers were never read (Redis down since
	 * start): Meta delivers again later.
	 */
	async accept(app: string, rawBody: Buffer): Promise<Acceptance> {
		const delivery = readDelivery(rawBody);
		if (!delivery) return 'not-whatsapp';
		let subscribers = this.registry.cached();
		if (!subscribers) {
			try {
				subscribers = await this.registry.list();
			} catch (error) {
				this.options.log.warn('Relay answered Meta 503: the subscribers are not readable (Meta delivers again)', causeOf(error));
				return 'unavailable';
			}
		}
		for (const subscriber of subscribers) {
			if (subscriber.app && subscriber.app !== app) continue;
			const wanted = delivery.events.filter((event) => matches(subscriber, event));
			if (!wanted.length) continue;
			const id = deliveryId(wanted, subscriber.id);
			const body = JSON.stringify(cutDown(delivery.body, new Set(wanted.map((event) => event.source))));
			if (!this.queue.add({ id, url: subscriber.url, target: subscriber.id, body, attempt: 0, dueAt: Date.now() }))
				this.counts.duplicates++;
		}
		crashPoint('relay-recorded');
		this.counts.accepted++;
		return 'accepted';
	}

	async register(url: string, wants: SubscriberWants): Promise<Subscriber> {
		return await this.registry.put(url, wants);
	}

	/** Unregisters a subscriber; its waiting deliveries are dropped with it. */
	async unregister(id: string): Promise<boolean> {
		const removed = await this.registry.remove(id);
		this.queue.removeTarget(id);
		return removed;
	}

	status(): RelayStatus {
		const backlog = this.backlog();
		const subscribers = (this.registry.cached() ?? []).map(({ id }) => ({ id, backlog: backlog.get(id) ?? 0 }));
		return { ...this.counts, subscribers };
	}

	/** Deliveries waiting per subscriber ID. */
	backlog(): Map<string, number> {
		return this.queue.backlog();
	}
}
