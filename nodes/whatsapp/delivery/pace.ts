import type { Backend } from '../channel/types';

/** How sends from one sender are spread over time. */
export type Pace =
	/** Cloud API: a steady rate per business phone number. */
	| { kind: 'rate'; messagesPerSecond: number }
	/** Lite: a random gap between messages, never below the minimum. */
	| { kind: 'randomDelay'; minMs: number; maxMs: number };

export const DEFAULT_CLOUD_RATE = 80;
export const MAX_CLOUD_RATE = 1000;
export const DEFAULT_LITE_MIN_DELAY_MINUTES = 3;
export const DEFAULT_LITE_MAX_DELAY_MINUTES = 5;

/**
 * Pacing a hair under the limit: arrivals jitter by a few milliseconds, and at exactly the limit a late send and an
 * early one land in the same second of Meta's window and provoke 130429 (measured by bench/segment-send).
 */
export const RATE_HEADROOM = 0.97;

/** The gap this send reserves after itself. */
export function gapMs(pace: Pace, random = Math.random): number {
	if (pace.kind === 'rate') return 1000 / (pace.messagesPerSecond * RATE_HEADROOM);
	return pace.minMs + random() * Math.max(0, pace.maxMs - pace.minMs);
}

/** In-flight sends needed to keep the rate with up to half a second of latency; one at a time for random gaps. */
export function defaultConcurrency(pace: Pace): number {
	return pace.kind === 'rate' ? Math.min(500, Math.max(1, Math.ceil(pace.messagesPerSecond / 2))) : 1;
}

export function paceKey(backend: Backend, senderId: string): string {
	return `wa_automator:pace:${backend}:${senderId}`;
}
