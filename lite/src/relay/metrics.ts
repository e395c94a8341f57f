import { family } from '../metrics';
import type { RelayStatus } from './relay';

/** The relay's families for /metrics: its counters, and each subscriber's deliveries waiting. */
export function relayMetrics(status: RelayStatus): string[] {
	const counter = (name: string, help: string, value: number) => family(`whatsapp_lite_relay_${name}`, 'counter', help, [['', value]]);
	return [
		...counter('meta_deliveries_accepted_total', "Meta's signed deliveries recorded and answered 200.", status.accepted),
		...counter('meta_deliveries_refused_total', "Meta's deliveries refused for their signature (401).", status.refused),
		...counter('duplicates_total', "Subscriber deliveries not recorded again (Meta's redeliveries).", status.duplicates),
		...counter('subscriber_deliveries_total', 'Deliveries a subscriber answered 2xx.', status.delivered),
		...counter(
			'subscriber_deliveries_dropped_total',
			"Deliveries given up after every retry or dropped past a subscriber's bound.",
			status.dropped,
		),
		...family(
			'whatsapp_lite_relay_subscriber_backlog',
			'gauge',
			'Deliveries waiting for a subscriber (due, retrying or in flight).',
			status.subscribers.map(({ id, backlog }) => [`subscriber="${id}"`, backlog]),
		),
	];
}
