import type { CloudChannel } from '../channel/cloud';
import type { LiteChannel } from '../channel/lite';
import { invalidInput, WhatsAppError } from '../../../contract/errors';
import type { InboundEventKind } from './event';

/** Workflow static data of the trigger node: what registration remembers between activation and deactivation. */
export type RegistrationState = Record<string, unknown>;

/** n8n's webhookMethods.default, backend-neutral: is the URL registered, register it, unregister it. */
export interface WebhookRegistration {
	exists(url: string, state: RegistrationState): Promise<boolean>;
	create(url: string, state: RegistrationState): Promise<void>;
	remove(url: string, state: RegistrationState): Promise<void>;
}

/** Cloud without automatic registration: the user pastes the URL into the Meta app; nothing to call. */
export const manualRegistration: WebhookRegistration = {
	exists: async () => true,
	create: async () => undefined,
	remove: async () => undefined,
};

const LITE_EVENTS: Partial<Record<InboundEventKind, string>> = {
	message: 'message',
	status: 'message_ack',
	session: 'session',
	campaign: 'campaign',
	campaignFinished: 'campaign',
};

/** The container's event names for the trigger's choice; refuses a choice the container never sends. */
export function liteEventsFor(events: InboundEventKind[]): string[] {
	const names = [...new Set(events.flatMap((event) => LITE_EVENTS[event] ?? []))].sort();
	if (names.length === 0) {
		throw invalidInput(
			'Trigger On',
			events,
			'has nothing a Lite container sends',
			'Choose Message Received, Message Status, Session Change, Campaign Progress or Campaign Finished',
		);
	}
	return names;
}

interface Registered {
	id: string;
	url: string;
}

/**
 * A registry of the Lite gateway, keyed by URL: `GET <path>` lists `{<list>: [...]}`, `POST <path>` registers (again:
 * updates), `DELETE <path>/{id}` unregisters; the ID is kept in the node's static data under `stateKey`.
 */
export function gatewayRegistration(channel: LiteChannel, where: { path: string; list: string; stateKey: string }) {
	const find = async <T extends Registered>(url: string) =>
		(await channel.call<Record<string, T[] | undefined>>({ method: 'GET', path: where.path }))[where.list]?.find(
			(entry) => entry.url === url,
		);
	return {
		find,
		async create(body: { url: string } & Record<string, unknown>, state: RegistrationState): Promise<void> {
			const created = await channel.call<Registered>({ method: 'POST', path: where.path, body });
			state[where.stateKey] = created.id;
		},
		async remove(url: string, state: RegistrationState): Promise<void> {
			const id = (state[where.stateKey] as string | undefined) ?? (await find(url))?.id;
			if (id) {
				const failure = await channel.call({ method: 'DELETE', path: `${where.path}/${encodeURIComponent(id)}` }).then(
					() => undefined,
					(error: unknown) => error,
				);
				// Already gone (removed by hand, or the gateway lost it) is what deactivation wants.
				if (failure && !(failure instanceof WhatsAppError && failure.httpStatus === 404)) throw failure;
			}
			delete state[where.stateKey];
		},
	};
}

/** Lite: `GET/POST /webhooks`, `DELETE /webhooks/{id}`; the ID is kept in the node's static data. */
export function liteRegistration(channel: LiteChannel, events: string[]): WebhookRegistration {
	const registry = gatewayRegistration(channel, { path: '/webhooks', list: 'webhooks', stateKey: 'liteWebhookId' });
	return {
		async exists(url, state) {
			const found = await registry.find<Registered & { events: string[] }>(url);
			if (found) state.liteWebhookId = found.id;
			// Different events: not "existing", so create() updates them (the container keys webhooks by URL).
			return !!found && [...found.events].sort().join() === events.join();
		},
		create: async (url, state) => await registry.create({ url, events }, state),
		remove: async (url, state) => await registry.remove(url, state),
	};
}

interface AppSubscription {
	object?: string;
	callback_url?: string;
	active?: boolean;
	fields?: Array<{ name?: string }>;
}

export interface CloudAppSettings {
	appId: string;
	verifyToken: string;
	replaceExisting: boolean;
	/** The webhook fields the trigger's events need (`subscribedFieldsFor`). */
	fields: string[];
}

const OBJECT = 'whatsapp_business_account';

/** Where a URL points, without its path (n8n webhook paths work like secrets). */
function origin(url: string | undefined): string {
	try {
		return new URL(String(url)).origin;
	} catch {
		// Only a description of the URL for a message: one that does not parse is named vaguely.
		return 'another URL';
	}
}

/**
 * Cloud: the Meta app's webhook subscription (`/<app-id>/subscriptions`, called with the app token). An app has
 * one callback URL: a subscription pointing elsewhere is reported and left alone unless the user chose to
 * replace it, and deactivation removes the subscription only while it still points here.
 */
export function cloudAppRegistration(appChannel: CloudChannel, settings: CloudAppSettings): WebhookRegistration {
	const path = `${settings.appId}/subscriptions`;
	const current = async () =>
		(await appChannel.call<{ data?: AppSubscription[] }>({ method: 'GET', path })).data?.find((entry) => entry.object === OBJECT);
	return {
		async exists(url) {
			const subscription = await current();
			if (!subscription?.callback_url) return false;
			if (subscription.callback_url !== url) {
				if (settings.replaceExisting) return false;
				throw new WhatsAppError(`Meta app ${settings.appId} already sends WhatsApp webhooks to ${origin(subscription.callback_url)}`, {
					kind: 'validation',
					field: 'Replace Existing Subscription',
					description:
						'A Meta app has one WhatsApp callback URL; another workflow or system receives its events now, and activating here would take them away',
					fix: 'Use another Meta app, remove the other subscription in the Meta app dashboard, or turn on Replace Existing Subscription if this trigger should receive them instead',
				});
			}
			// A field the trigger now needs (e.g. Template Status chosen since) is missing: create() subscribes it.
			const subscribed = new Set(subscription.fields?.map((field) => field.name));
			return subscription.active !== false && settings.fields.every((field) => subscribed.has(field));
		},
		async create(url) {
			if (!settings.verifyToken) {
				throw invalidInput(
					'Webhook Verify Token',
					'',
					'is empty in the WhatsApp Cloud API credential',
					'Set any secret string there; Meta sends it back when it verifies the callback URL',
				);
			}
			await appChannel.call({
				method: 'POST',
				path,
				body: {
					object: OBJECT,
					callback_url: url,
					verify_token: settings.verifyToken,
					fields: settings.fields.join(','),
					include_values: true,
				},
			});
		},
		async remove(url) {
			const subscription = await current();
			if (subscription?.callback_url === url) await appChannel.call({ method: 'DELETE', path, qs: { object: OBJECT } });
		},
	};
}
