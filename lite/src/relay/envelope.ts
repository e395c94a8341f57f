import { createHash } from 'node:crypto';
import { isAccountField, isTemplateField, MESSAGES_FIELD, USER_ID_UPDATE_FIELD } from '../../../contract/cloudFields';

/** The trigger's event kinds that a Meta delivery carries (a subscriber's filter names them). */
export const RELAY_EVENT_KINDS = ['message', 'status', 'error', 'template', 'account', 'identity'] as const;
export type RelayEventKind = (typeof RELAY_EVENT_KINDS)[number];

/** What a subscriber takes: empty `phoneNumberIds` takes every number's events. */
export interface RelayFilter {
	events: RelayEventKind[];
	phoneNumberIds: string[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const listOf = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

/** One event of a delivery: the same key on every redelivery of it (Meta's IDs where it gives them). */
export interface RelayEvent {
	key: string;
	kind: RelayEventKind;
	/** The phone number ID it concerns; none for template and account updates (the whole account). */
	phoneNumberId?: string;
	/** The object in the delivery (a message, status, error or a change's value). */
	source: Json;
}

/** A signed Meta delivery, as the relay reads it: the body and its events. */
export interface Delivery {
	body: Json;
	events: RelayEvent[];
}

/** Parses a verified body; undefined when it is not a WhatsApp Business Account webhook. */
export function readDelivery(rawBody: Buffer): Delivery | undefined {
	let body: unknown;
	try {
		body = JSON.parse(rawBody.toString('utf8'));
	} catch {
		// Signed by Meta but not JSON: not a WhatsApp delivery, which is what the caller answers.
		return undefined;
	}
	if (!isObject(body) || body.object !== 'whatsapp_business_account') return undefined;
	const events: RelayEvent[] = [];
	for (const entry of listOf(body.entry)) {
		for (const change of listOf(entry.changes)) {
			const field = String(change.field);
			const value = change.value;
			if (!isObject(value)) continue;
			if (field === MESSAGES_FIELD) {
				const metadata = isObject(value.metadata) ? value.metadata : {};
				const phoneNumberId = typeof metadata.phone_number_id === 'string' ? metadata.phone_number_id : undefined;
				for (const message of listOf(value.messages))
					events.push({
						key: `m:${String(message.id ?? digest(JSON.stringify(message)))}`,
						kind: 'message',
						phoneNumberId,
						source: message,
					});
				for (const status of listOf(value.statuses))
					events.push({ key: `s:${String(status.id)}:${String(status.status)}`, kind: 'status', phoneNumberId, source: status });
				for (const error of listOf(value.errors))
					events.push({ key: `e:${digest(JSON.stringify([phoneNumberId, error]))}`, kind: 'error', phoneNumberId, source: error });
			} else if (field === USER_ID_UPDATE_FIELD) {
				// A changed number's new BSUID (the change's updates as one event): the number it came to, like a message.
				const metadata = isObject(value.metadata) ? value.metadata : {};
				const phoneNumberId = typeof metadata.phone_number_id === 'string' ? metadata.phone_number_id : undefined;
				events.push({ key: `i:${digest(JSON.stringify([entry.id, value]))}`, kind: 'identity', phoneNumberId, source: value });
			} else if (isTemplateField(field) || isAccountField(field)) {
				const kind = isTemplateField(field) ? 'template' : 'account';
				events.push({ key: `${kind[0]}:${digest(JSON.stringify([entry.id, field, value]))}`, kind, source: value });
			}
		}
	}
	return { body, events };
}

export function matches(filter: RelayFilter, event: RelayEvent): boolean {
	if (!filter.events.includes(event.kind)) return false;
	// Template and account updates concern the whole account: a number filter lets them through (as the trigger's does).
	return !filter.phoneNumberIds.length || event.phoneNumberId === undefined || filter.phoneNumberIds.includes(event.phoneNumberId);
}

/**
 * The delivery cut down to the given events, in Meta's shape (so the trigger reads it as it reads Meta's): entries
 * and changes without one of them are left out, a change keeps its metadata, and its contacts when it keeps a
 * message.
 */
export function cutDown(body: Json, kept: Set<Json>): Json {
	const entries = listOf(body.entry).flatMap((entry) => {
		const changes = listOf(entry.changes).flatMap((change) => {
			const value = change.value;
			if (!isObject(value)) return [];
			if (kept.has(value)) return [change];
			if (String(change.field) !== MESSAGES_FIELD) return [];
			const messages = listOf(value.messages).filter((message) => kept.has(message));
			const statuses = listOf(value.statuses).filter((status) => kept.has(status));
			const errors = listOf(value.errors).filter((error) => kept.has(error));
			if (!messages.length && !statuses.length && !errors.length) return [];
			const { messages: _m, statuses: _s, errors: _e, contacts, ...rest } = value;
			return [
				{
					...change,
					value: {
						...rest,
						...(messages.length && contacts !== undefined && { contacts }),
						...(messages.length && { messages }),
						...(statuses.length && { statuses }),
						...(errors.length && { errors }),
					},
				},
			];
		});
		return changes.length ? [{ ...entry, changes }] : [];
	});
	return { ...body, entry: entries };
}

/** The ID of one subscriber's delivery of these events: the same events, the same ID (so it is recorded once). */
export function deliveryId(events: RelayEvent[], subscriberId: string): string {
	return `rl_${digest(
		events
			.map((event) => event.key)
			.sort()
			.join('\n'),
	)}:${subscriberId}`;
}
