import { join } from 'node:path';
import type { Config } from '../config';
import type { Router } from '../http/router';
import type { Logger } from '../../../contract/log';
import type { WebhookPost } from '../outbound/webhook';
import { relayRoutes } from '../routes/relay';
import type { Kv } from '../store/kv';
import { RelayCallback } from './callback';
import { Relay } from './relay';

export interface RelayParts {
	relay: Relay;
	callback: RelayCallback;
}

/** The relay and its routes, when RELAY_APPS names at least one app; undefined otherwise (the relay is off). */
export function setUpRelay(config: Config, deps: { kv: Kv; router: Router; post: WebhookPost; log: Logger }): RelayParts | undefined {
	if (config.relayApps.size === 0) return undefined;
	const base = `${config.keyPrefix}lite:relay:`;
	const relay = new Relay({
		...config,
		kv: deps.kv,
		registryKey: `${base}subscribers`,
		outboxFile: join(config.stateDir, 'relay-outbox.jsonl'),
		post: deps.post,
		maxAttempts: config.webhookMaxAttempts,
		retryBaseMs: config.webhookRetryBaseMs,
		maxConcurrent: config.webhookMaxConcurrent,
		log: deps.log,
	});
	relayRoutes(deps.router, relay, config);
	return { relay, callback: new RelayCallback(relay, config.relayApps, config.relayMaxBodyBytes, deps.log) };
}
