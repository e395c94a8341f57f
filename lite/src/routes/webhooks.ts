import type { Router } from '../http/router';
import { notFound, tooManyWebhooks, urlNotAllowed } from '../http/errors';
import { id, text, validated, z } from '../http/schema';
import { MAX_URL } from '../send/request';
import { OutboundPolicy, OutboundRefused } from '../outbound/policy';
import { EVENT_NAMES, WebhookRegistry } from '../webhooks/registry';

export interface WebhookRouteSettings {
	webhookAllowedHosts: string[];
	webhookMaxRegistrations: number;
}

const EVENTS_RULE = `a non-empty list of ${EVENT_NAMES.join(', ')}`;
const registration = z.object({
	body: z.object({
		url: text(MAX_URL, 'an http(s) URL'),
		events: z
			.array(z.enum(EVENT_NAMES, { message: EVENTS_RULE }), { message: EVENTS_RULE })
			.min(1, EVENTS_RULE)
			.max(EVENT_NAMES.length * 4, EVENTS_RULE)
			.optional(),
	}),
});
const webhookPath = z.object({ params: z.object({ id: id() }) });

export function webhookRoutes(router: Router, registry: WebhookRegistry, settings: WebhookRouteSettings): void {
	const policy = OutboundPolicy.webhook(settings.webhookAllowedHosts);
	// Registrations run one at a time, so concurrent ones cannot pass the limit together.
	let registering: Promise<unknown> = Promise.resolve();

	router.add('POST', '/webhooks', async (request) => {
		const { url, events = EVENT_NAMES } = validated(registration, request).body;
		try {
			policy.checkUrl(url);
		} catch (error) {
			if (error instanceof OutboundRefused) throw urlNotAllowed('url', error, 'WEBHOOK_ALLOWED_HOSTS');
			throw error;
		}
		const wanted = [...new Set(events)];
		const registered = registering.then(async () => {
			const existing = await registry.list();
			const known = existing.some((webhook) => webhook.id === WebhookRegistry.idOf(url));
			if (!known && existing.length >= settings.webhookMaxRegistrations) throw tooManyWebhooks(settings.webhookMaxRegistrations);
			return registry.register(url, wanted);
		});
		registering = registered.catch(() => undefined);
		return { status: 201, body: await registered };
	});
	router.add('GET', '/webhooks', async () => ({ status: 200, body: { webhooks: await registry.list() } }));
	router.add('DELETE', '/webhooks/:id', async (request) => {
		const { params } = validated(webhookPath, request);
		if (!(await registry.remove(params.id))) throw notFound(`Webhook ${params.id}`);
		return { status: 204 };
	});
}
