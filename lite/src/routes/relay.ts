import { ApiError, notFound } from '../http/errors';
import { id, text, validated, z } from '../http/schema';
import type { Router } from '../http/router';
import { RELAY_EVENT_KINDS } from '../relay/envelope';
import type { Relay, Subscriber, SubscriberWants } from '../relay/relay';
import type { RelaySettings } from '../relay/settings';
import { MAX_URL } from '../send/request';
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

const SECRET_RULE = `a string of ${MIN_SECRET_LENGTH} to 1024 characters (it signs this subscriber's deliveries: e.g. 64 random hex digits)`;
const EVENTS_RULE = `a non-empty list of ${RELAY_EVENT_KINDS.join(', ')}`;
const PHONE_NUMBER_IDS_RULE = 'a list of phone number IDs (digits, as in the Meta app: WhatsApp › API Setup; empty: every number)';

/** `POST /relay/subscribers`; `app` must name an app of RELAY_APPS, so the schema is made per gateway. */
function subscriberRequest(settings: RelayRouteSettings) {
	const apps = [...settings.relayApps.keys()];
	const appRule = `one of the apps in this relay's RELAY_APPS (${apps.join(', ')}), or left out to take every app's events`;
	return z.object({
		body: z.object({
			url: text(MAX_URL, 'an http(s) URL'),
			secret: z.string({ message: SECRET_RULE }).min(MIN_SECRET_LENGTH, SECRET_RULE).max(1024, SECRET_RULE),
			app: z
				.string({ message: appRule })
				.refine((app) => settings.relayApps.has(app), appRule)
				.optional(),
			events: z
				.array(z.enum(RELAY_EVENT_KINDS, { message: EVENTS_RULE }), { message: EVENTS_RULE })
				.min(1, EVENTS_RULE)
				.max(RELAY_EVENT_KINDS.length * 4, EVENTS_RULE)
				.default([...RELAY_EVENT_KINDS]),
			phoneNumberIds: z
				.array(z.string({ message: PHONE_NUMBER_IDS_RULE }).regex(/^\d{1,32}$/, PHONE_NUMBER_IDS_RULE), { message: PHONE_NUMBER_IDS_RULE })
				.max(100, PHONE_NUMBER_IDS_RULE)
				.default([]),
		}),
	});
}
const subscriberPath = z.object({ params: z.object({ id: id() }) });

/** The subscribers' API (API key required): register (again: updated, same ID), list with backlogs, unregister. */
export function relayRoutes(router: Router, relay: Relay, settings: RelayRouteSettings): void {
	const registration = receiverRegistration(settings.webhookAllowedHosts);

	const subscriber = subscriberRequest(settings);

	router.add('POST', '/relay/subscribers', async (request) => {
		const { url: _url, app, events, phoneNumberIds, secret } = validated(subscriber, request).body;
		const url = registration.url({ url: _url });
		const wanted: SubscriberWants = {
			...(app !== undefined && { app }),
			events: [...new Set(events)].sort(),
			phoneNumberIds: [...new Set(phoneNumberIds)].sort(),
			secret,
		};
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
	router.add('DELETE', '/relay/subscribers/:id', async (request) => {
		const { params } = validated(subscriberPath, request);
		if (!(await relay.unregister(params.id))) throw notFound(`Relay subscriber ${params.id}`);
		return { status: 204 };
	});
}
