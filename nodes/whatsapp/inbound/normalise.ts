// What both backends' normalisers share: payload checks and the keys every event carries (the event type: event.ts).
import type { InboundEvent } from './event';

/** The body is JSON but not the shape the backend documents. */
export class UnexpectedPayload extends Error {
	constructor(where: string) {
		super(`Unexpected webhook payload: ${where}`);
		this.name = 'UnexpectedPayload';
	}
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list the payload must carry (missing is fine, anything else is refused). */
export function listAt(parent: Json, key: string, where: string): Json[] {
	const value = parent[key];
	if (value === undefined) return [];
	if (!Array.isArray(value) || !value.every(isObject)) throw new UnexpectedPayload(`${where}.${key} is not a list of objects`);
	return value;
}

export function text(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Unix seconds (a number or a digit string) as ISO time. */
export function isoFromUnix(value: unknown): string | undefined {
	const seconds = Number(value);
	return value !== undefined && value !== '' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : undefined;
}

/** Drops the keys whose value is undefined, so items carry only what is known. */
export function compact<T extends object>(value: T): T {
	return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/** The keys only one backend fills; every item carries them (null when unknown), so items read the same on both. */
const SHARED_KEYS = ['businessDisplayNumber', 'groupId', 'deliveryId'] as const;

/** The event with the shared keys set, placed after `businessNumber` as on every item. */
export function withSharedKeys(event: InboundEvent): InboundEvent {
	const entries: Array<[string, unknown]> = Object.entries(event).filter(([key]) => !(SHARED_KEYS as readonly string[]).includes(key));
	const after = entries.findIndex(([key]) => key === 'businessNumber') + 1;
	entries.splice(after, 0, ...SHARED_KEYS.map((key): [string, unknown] => [key, event[key] ?? null]));
	return Object.fromEntries(entries) as unknown as InboundEvent;
}
