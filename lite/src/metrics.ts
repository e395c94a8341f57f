/** Counters for /metrics; gauges are read when scraped. */
export class Metrics {
	sent = 0;
	failed = 0;
	webhookFailures = 0;
}

export interface Gauges {
	quotaUsed: number;
	quotaLimit: number;
	queueDepth: number;
	sessionStatus: string;
}

const SESSION_STATUSES = ['starting', 'waiting_for_scan', 'authenticated', 'ready', 'disconnected'];

export function family(name: string, type: 'counter' | 'gauge', help: string, samples: Array<[labels: string, value: number]>): string[] {
	return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples.map(([labels, value]) => `${name}{${labels}} ${value}`)];
}

/** The Prometheus text exposition format; `more`: other modules' families (the relay's). */
export function renderMetrics(metrics: Metrics, gauges: Gauges, suitId: string, more: string[] = []): string {
	const suit = `suit="${suitId.replace(/["\\\n]/g, '_')}"`;
	const lines = [
		...family('whatsapp_lite_messages_sent_total', 'counter', 'Messages sent since the gateway started.', [[suit, metrics.sent]]),
		...family('whatsapp_lite_messages_failed_total', 'counter', 'Sends that failed since the gateway started.', [[suit, metrics.failed]]),
		...family('whatsapp_lite_quota_used', 'gauge', "Messages counted against today's quota (UTC day).", [[suit, gauges.quotaUsed]]),
		...family('whatsapp_lite_quota_limit', 'gauge', 'The daily quota.', [[suit, gauges.quotaLimit]]),
		...family('whatsapp_lite_campaign_queue_depth', 'gauge', 'Campaign receivers waiting to be sent.', [[suit, gauges.queueDepth]]),
		...family('whatsapp_lite_webhook_deliveries_failed_total', 'counter', 'Webhook events given up after every retry.', [
			[suit, metrics.webhookFailures],
		]),
		...family(
			'whatsapp_lite_session_state',
			'gauge',
			"1 for the WhatsApp session's current state.",
			SESSION_STATUSES.map((state) => [`${suit},state="${state}"`, state === gauges.sessionStatus ? 1 : 0]),
		),
		...more,
	];
	return `${lines.join('\n')}\n`;
}
