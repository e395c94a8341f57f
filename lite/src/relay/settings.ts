/** One Meta app whose webhooks the relay takes: its callback is `/relay/<name>`. */
export interface RelayApp {
	name: string;
	/** Signs Meta's POSTs (X-Hub-Signature-256). Never logged. */
	appSecret: string;
	/** What Meta's verification handshake must present. */
	verifyToken: string;
}

export interface RelaySettings {
	/** Empty: the relay is off (its routes answer 404). */
	relayApps: Map<string, RelayApp>;
	/** Largest body Meta may POST (413 above). */
	relayMaxBodyBytes: number;
	/** Subscribers at once (422 TOO_MANY_WEBHOOKS above). */
	relayMaxSubscribers: number;
	/** Deliveries in flight at once to one subscriber. */
	relaySubscriberConcurrency: number;
	/** Deliveries kept waiting for one subscriber; past it its oldest is dropped with an ERROR line. */
	relaySubscriberBacklogMax: number;
	/** How long the relay remembers an event it accepted, to drop Meta's redeliveries of it. */
	relayDedupeSeconds: number;
}

type Env = Record<string, string | undefined>;

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * RELAY_APPS: a JSON object, one entry per Meta app, `{"<name>": {"appSecret": "…", "verifyToken": "…"}}`. The
 * errors name the app and field, never a secret's value.
 */
export function parseRelayApps(raw: string | undefined): Map<string, RelayApp> {
	const apps = new Map<string, RelayApp>();
	if (!raw?.trim()) return apps;
	const fix = 'RELAY_APPS must be a JSON object like {"my-app": {"appSecret": "<Meta app secret>", "verifyToken": "<any secret string>"}}';
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw);
	} catch {
		// The parser's message can quote the text, which holds app secrets: the error says only what to fix.
		throw new Error(`RELAY_APPS is not valid JSON: ${fix}`);
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`RELAY_APPS is not a JSON object: ${fix}`);
	for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
		if (!NAME.test(name))
			throw new Error(`RELAY_APPS: the app name "${name.slice(0, 80)}" must be 1-64 letters, digits, "_" or "-" (it is the callback path)`);
		const entry = (value ?? {}) as Record<string, unknown>;
		for (const field of ['appSecret', 'verifyToken']) {
			if (typeof entry[field] !== 'string' || !(entry[field] as string).trim())
				throw new Error(`RELAY_APPS: app "${name}" has no ${field}: ${fix}`);
		}
		apps.set(name, { name, appSecret: String(entry.appSecret), verifyToken: String(entry.verifyToken) });
	}
	return apps;
}

export function relaySettings(env: Env, number: (env: Env, name: string, fallback: number, min?: number) => number): RelaySettings {
	return {
		relayApps: parseRelayApps(env.RELAY_APPS),
		relayMaxBodyBytes: number(env, 'RELAY_MAX_BODY_BYTES', 1024 * 1024, 1),
		relayMaxSubscribers: number(env, 'RELAY_MAX_SUBSCRIBERS', 50, 1),
		relaySubscriberConcurrency: number(env, 'RELAY_SUBSCRIBER_CONCURRENCY', 4, 1),
		relaySubscriberBacklogMax: number(env, 'RELAY_SUBSCRIBER_BACKLOG_MAX', 10_000, 1),
		relayDedupeSeconds: number(env, 'RELAY_DEDUPE_HOURS', 24, 0) * 3600,
	};
}
