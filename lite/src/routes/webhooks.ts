import type { Router } from '../http/router';
import { invalidRequest, notFound } from '../http/errors';
import { EVENT_NAMES, type EventName, type WebhookRegistry } from '../webhooks/registry';

function events(raw: unknown): EventName[] {
	if (raw === undefined) return [...EVENT_NAMES];
	if (!Array.isArray(raw) || raw.length === 0 || raw.some((event) => !EVENT_NAMES.includes(event))) {
		throw invalidRequest(`events must be a non-empty list of ${EVENT_NAMES.join(', ')}`);
	}
	return [...new Set(raw as EventName[])];
}

export function webhookRoutes(router: Router, registry: WebhookRegistry): void {
	router.add('POST', '/webhooks', async ({ body }) => {
		const url = typeof body.url === 'string' ? body.url : '';
		if (!/^https?:\/\/[^\s]+$/.test(url)) throw invalidRequest(`url "${url}" must be an http(s) URL`);
		return { status: 201, body: await registry.register(url, events(body.events)) };
	});
	router.add('GET', '/webhooks', async () => ({ status: 200, body: { webhooks: await registry.list() } }));
	router.add('DELETE', '/webhooks/:id', async ({ params }) => {
		if (!(await registry.remove(params.id))) throw notFound(`Webhook ${params.id}`);
		return { status: 204 };
	});
}
