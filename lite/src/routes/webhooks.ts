import type { Router } from '../http/router';
import { invalidRequest, notFound, tooManyWebhooks, urlNotAllowed } from '../http/errors';
import { OutboundPolicy, OutboundRefused } from '../outbound/policy';
import { EVENT_NAMES, WebhookRegistry, type EventName } from '../webhooks/registry';

export interface WebhookRouteSettings {
	webhookAllowedHosts: string[];
	webhookMaxRegistrations: number;
}

function events(raw: unknown): EventName[] {
	if (raw === undefined) return [...EVENT_NAMES];
	if (!Array.isArray(raw) || raw.length === 0 || raw.some((event) => !EVENT_NAMES.includes(event))) {
		throw invalidRequest(`events must be a non-empty list of ${EVENT_NAMES.join(', ')}`);
	}
	return [...new Set(raw as EventName[])];
}

export function webhookRoutes(router: Router, registry: WebhookRegistry, settings: WebhookRouteSettings): void {
	const policy = OutboundPolicy.webhook(settings.webhookAllowedHosts);
	// Registrations run one at a time, so concurrent ones cannot pass the limit together.
	let registering: Promise<unknown> = Promise.resolve();

	router.add('POST', '/webhooks', async ({ body }) => {
		const url = typeof body.url === 'string' ? body.url : '';
		try {
			policy.checkUrl(url);
		} catch (error) {
			if (error instanceof OutboundRefused) throw urlNotAllowed('url', error, 'WEBHOOK_ALLOWED_HOSTS');
			throw error;
		}
		const wanted = events(body.events);
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
	router.add('DELETE', '/webhooks/:id', async ({ params }) => {
		if (!(await registry.remove(params.id))) throw notFound(`Webhook ${params.id}`);
		return { status: 204 };
	});
}
