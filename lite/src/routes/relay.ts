import { ApiError, invalidRequest, notFound } from '../http/errors';
import type { Router } from '../http/router';
import { RELAY_EVENT_KINDS, type RelayEventKind } from '../relay/envelope';
import type { Relay, Subscriber, SubscriberWants } from '../relay/relay';
import type { RelaySettings } from '../relay/settings';
import { receiverRegistration } from './receivers';

export interface RelayRouteSettings extends RelaySettings {
	webhookAllowedHosts: string[];
}

/** Secrets shorter than this are refused: a subscriber's deliveries are as safe as its secret. */
const MIN_SECRET_LENGTH = 32;

const tooManySubscribers = (limit: number) =>
	new ApiError(
		'TOO_MANY_WEBHOOKS',
		`The relay already has ${limit} subscribers, its limit`,
		'Unregister one, or raise RELAY_MAX_SUBSCRIBERS',
	);

/** A subscriber as answered: everything but its secret. */
function shown({ secret: _secret, ...subscriber }: Subscriber, backlog?: number) {
	return { ...subscriber, ...(backlog !== undefined && { backlog }) };
}

function wants(body: Record<string, unknown>, settings: RelayRouteSettings): SubscriberWants {
	const { secret, app, events = [...RELAY_EVENT_KINDS], phoneNumberIds = [] } = body;
	if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH)
		throw invalidRequest(
			`secret must be a string of at least ${MIN_SECRET_LENGTH} characters (it signs this subscriber's deliveries)`,
			'Send a long random string, e.g. 64 hex digits',
		);
	if (app !== undefined && (typeof app !== 'string' || !settings.relayApps.has(app)))
		throw invalidRequest(
			`app ${JSON.stringify(app)} is not an app in this relay's RELAY_APPS`,
			`Use one of: ${[...settings.relayApps.keys()].join(', ')}, or leave app out to take every app's events`,
		);
	if (!Array.isArray(events) || events.length === 0 || events.some((event) => !RELAY_EVENT_KINDS.includes(event as RelayEventKind)))
		throw invalidRequest(`events must be a non-empty list of ${RELAY_EVENT_KINDS.join(', ')}`);
	if (!Array.isArray(phoneNumberIds) || phoneNumberIds.some((id) => typeof id !== 'string' || !/^\d{1,32}$/.test(id)))
		throw invalidRequest(
			'phoneNumberIds must be a list of phone number IDs (digits, as in the Meta app: WhatsApp › API Setup)',
			'Leave it empty to take every number of the app',
		);
	return {
		...(app !== undefined && { app: app as string }),
		events: [...new Set(events as RelayEventKind[])].sort(),
		phoneNumberIds: [...new Set(phoneNumberIds as string[])].sort(),
		secret,
	};
}

/** The subscribers' API (API key required): register (again: updated, same ID), list with backlogs, unregister. */
export function relayRoutes(router: Router, relay: Relay, settings: RelayRouteSettings): void {
	const registration = receiverRegistration(settings.webhookAllowedHosts);

	router.add('POST', '/relay/subscribers', async ({ body }) => {
		const url = registration.url(body);
		const wanted = wants(body, settings);
		const registered = await registration.serially(async () => {
			const existing = await relay.registry.list();
			const known = existing.some((subscriber) => subscriber.id === relay.registry.idOf(url));
			if (!known && existing.length >= settings.relayMaxSubscribers) throw tooManySubscribers(settings.relayMaxSubscribers);
			return await relay.register(url, wanted);
		});
		return { status: 201, body: shown(registered) };
	});
	router.add('GET', '/relay/subscribers', async () => {
		const backlog = relay.backlog();
		const subscribers = await relay.registry.list();
		return { status: 200, body: { subscribers: subscribers.map((subscriber) => shown(subscriber, backlog.get(subscriber.id) ?? 0)) } };
	});
	router.add('DELETE', '/relay/subscribers/:id', async ({ params }) => {
		if (!(await relay.unregister(params.id))) throw notFound(`Relay subscriber ${params.id}`);
		return { status: 204 };
	});
}
