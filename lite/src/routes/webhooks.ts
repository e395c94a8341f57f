import type { Router } from '../http/router';
import { invalidRequest, notFound, tooManyWebhooks } from '../http/errors';
import { receiverRegistration } from './receivers';
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
	const registration = receiverRegistration(settings.webhookAllowedHosts);

	router.add('POST', '/webhooks', async ({ body }) => {
		const url = registration.url(body);
		const wanted = events(body.events);
		const registered = await registration.serially(async () => {
			const existing = await registry.list();
			const known = existing.some((webhook) => webhook.id === WebhookRegistry.idOf(url));
			if (!known && existing.length >= settings.webhookMaxRegistrations) throw tooManyWebhooks(settings.webhookMaxRegistrations);
			return registry.register(url, wanted);
		});
		return { status: 201, body: registered };
	});
	router.add('GET', '/webhooks', async () => ({ status: 200, body: { webhooks: await registry.list() } }));
	router.add('DELETE', '/webhooks/:id', async ({ params }) => {
		if (!(await registry.remove(params.id))) throw notFound(`Webhook ${params.id}`);
		return { status: 204 };
	});
}
