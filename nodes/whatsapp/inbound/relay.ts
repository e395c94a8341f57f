import { createHmac } from 'node:crypto';
import type { LiteChannel } from '../channel/lite';
import { invalidInput } from '../../../contract/errors';
import type { InboundEventKind } from './event';
import type { FilterSettings } from './filters';
import { gatewayRegistration, type WebhookRegistration } from './registration';

// A Cloud trigger that receives "Through the relay": the Lite gateway takes the Meta app's webhooks and passes each
// trigger the events its filter wants (lite/README.md, "Many workflows on one number").

/** The event kinds a Meta delivery carries: what the relay filters by. */
const RELAY_KINDS: InboundEventKind[] = ['message', 'status', 'error', 'template', 'account', 'identity'];

/**
 * The secret the relay signs one trigger's deliveries with: derived from the relay's API key and the trigger's URL,
 * so the trigger needs no stored state, and a secret learnt from one trigger signs nothing for another.
 */
export function relaySubscriberSecret(apiKey: string, webhookUrl: string): string {
	return createHmac('sha256', apiKey).update(`whatsapp-automator relay subscriber\n${webhookUrl}`).digest('hex');
}

/** What a trigger asks the relay for: the body of `POST /relay/subscribers` without the URL and secret. */
export interface RelaySubscription {
	app?: string;
	events: InboundEventKind[];
	/** Phone number IDs or display numbers (digits); empty: every number. */
	phoneNumberIds: string[];
}

/**
 * The trigger's filter as the relay applies it: the kinds of event (with statuses and messages when they update
 * campaign reports) and the business numbers; the rest of the filter (senders, types, text) is the trigger's, and
 * an event it drops starts no execution either.
 */
export function relaySubscription(filter: FilterSettings, app: string, updatesReports: boolean): RelaySubscription {
	const chosen = filter.events.filter((event) => RELAY_KINDS.includes(event));
	if (chosen.length === 0)
		throw invalidInput(
			'Trigger On',
			filter.events,
			'has nothing a Meta app sends',
			'Choose Message Received, Message Status, Error, Template Status, Account Update or Contact ID Changed',
		);
	// A changed number's new BSUID and template statuses always: the trigger records them whatever it starts workflows
	// on (contact links, paused templates), as from Meta directly.
	const learned: InboundEventKind[] = ['identity', 'template', ...(updatesReports ? (['status', 'message'] as const) : [])];
	const events = [...new Set([...chosen, ...learned])].sort();
	const phoneNumberIds = [
		...new Set(
			(filter.businessNumbers ?? '')
				.split(',')
				.map((value) => value.replace(/\D/g, ''))
				.filter(Boolean),
		),
	].sort();
	return { ...(app && { app }), events, phoneNumberIds };
}

/**
 * The relay's subscriber registry: activation registers the URL with its filter and secret (registering again
 * updates it, so it always runs: the relay never shows a secret to compare), deactivation unregisters.
 */
export function relayRegistration(channel: LiteChannel, subscription: RelaySubscription, apiKey: string): WebhookRegistration {
	const registry = gatewayRegistration(channel, { path: '/relay/subscribers', list: 'subscribers', stateKey: 'relaySubscriberId' });
	return {
		exists: async () => false,
		create: async (url, state) => await registry.create({ url, secret: relaySubscriberSecret(apiKey, url), ...subscription }, state),
		remove: async (url, state) => await registry.remove(url, state),
	};
}
