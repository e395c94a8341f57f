import type { Backend } from '../channel/types';

/** How sends from one sender are spread over time. */
export type Pace =
	/** Cloud API: a steady rate per business phone number. */
	| { kind: 'rate'; messagesPerSecond: number }
	/** Lite: the container keeps one pace per suit for every send, so the nodes add none (docs/lite-api.md). */
	| { kind: 'container' };

export const DEFAULT_CLOUD_RATE = 80;
export const MAX_CLOUD_RATE = 1000;
export const DEFAULT_LITE_MIN_DELAY_MINUTES = 3;
export const DEFAULT_LITE_MAX_DELAY_MINUTES = 5;

/**
 * Pacing a hair under the limit: arrivals jitter by a few milliseconds, and at exactly the limit a late send and an
 * early one land in the same second of Meta's window and provoke 130429 (measured by bench/segment-send).
 */
export const RATE_HEADROOM = 0.97;

/** The gap a send at this rate reserves after itself. */
export function gapMs(pace: { messagesPerSecond: number }): number {
	return 1000 / (pace.messagesPerSecond * RATE_HEADROOM);
}

/** In-flight sends needed to keep the rate with up to half a second of latency; one at a time where the container paces. */
export function defaultConcurrency(pace: Pace): number {
	return pace.kind === 'rate' ? Math.min(500, Math.max(1, Math.ceil(pace.messagesPerSecond / 2))) : 1;
}

export function paceKey(backend: Backend, senderId: string): string {
	return `wa_automator:pace:${backend}:${senderId}`;
}
