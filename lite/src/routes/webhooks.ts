import type { Router } from '../http/router';
import { notFound, tooManyWebhooks } from '../http/errors';
import { id, text, validated, z } from '../http/schema';
import { MAX_URL } from '../send/request';
import { receiverRegistration } from './receivers';
import { EVENT_NAMES, WebhookRegistry } from '../webhooks/registry';

export interface WebhookRouteSettings {
	webhookAllowedHosts: string[];
	webhookMaxRegistrations: number;
}

const EVENTS_RULE = `a non-empty list of ${EVENT_NAMES.join(', ')}`;
const registrationRequest = z.object({
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
	const registration = receiverRegistration(settings.webhookAllowedHosts);

	router.add('POST', '/webhooks', async (request) => {
		const body = validated(registrationRequest, request).body;
		const url = registration.url(body);
		const wanted = [...new Set(body.events ?? EVENT_NAMES)];
		const registered = await registration.serially(async () => {
			const existing = await registry.list();
			const known = existing.some((webhook) => webhook.id === WebhookRegistry.idOf(url));
			if (!known && existing.length >= settings.webhookMaxRegistrations) throw tooManyWebhooks(settings.webhookMaxRegistrations);
			return registry.register(url, wanted);
		});
		return { status: 201, body: registered };
	});
	router.add('GET', '/webhooks', async () => ({ status: 200, body: { webhooks: await registry.list() } }));
	router.add('DELETE', '/webhooks/:id', async (request) => {
		const { params } = validated(webhookPath, request);
		if (!(await registry.remove(params.id))) throw notFound(`Webhook ${params.id}`);
		return { status: 204 };
	});
}
