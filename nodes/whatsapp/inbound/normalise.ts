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
	const known: Record<string, unknown> = {};
	// for...in over these plain literals: several times faster than Object.entries, once per event and part.
	for (const key in value) if (value[key] !== undefined) known[key] = value[key];
	return known as T;
}

/** The keys only one backend fills; every item carries them (null when unknown), so items read the same on both. */
const SHARED_KEYS = ['businessDisplayNumber', 'groupId', 'deliveryId'] as const;

const isSharedKey = (key: string) => (SHARED_KEYS as readonly string[]).includes(key);

/** The event with the shared keys set, placed after `businessNumber` (first without one) as on every item. */
export function withSharedKeys(event: InboundEvent): InboundEvent {
	const placed: Record<string, unknown> = {};
	const placeShared = () => SHARED_KEYS.forEach((key) => (placed[key] = event[key] ?? null));
	if (!('businessNumber' in event)) placeShared();
	for (const key in event) {
		if (isSharedKey(key)) continue;
		placed[key] = event[key as keyof InboundEvent];
		if (key === 'businessNumber') placeShared();
	}
	return placed as unknown as InboundEvent;
}

/**
 * Plain data as `JSON.parse(JSON.stringify(value))` returns it (undefined and functions left out of objects and
 * null in lists, non-finite numbers null, `toJSON` applied), without the round trip through text, which cost more
 * than the rest of an event's item.
 */
export function jsonCopy(value: unknown): unknown {
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (value === null || typeof value !== 'object') return value;
	if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return jsonCopy((value as { toJSON(): unknown }).toJSON());
	const kept = (entry: unknown) => entry !== undefined && typeof entry !== 'function' && typeof entry !== 'symbol';
	if (Array.isArray(value)) return Array.from(value, (entry) => (kept(entry) ? jsonCopy(entry) : null));
	const copy: Record<string, unknown> = {};
	for (const key of Object.keys(value)) {
		const entry = (value as Record<string, unknown>)[key];
		if (kept(entry)) copy[key] = jsonCopy(entry);
	}
	return copy;
}
