import type { Channel, SendResult } from '../channel/types';
import type { Envelope } from '../message';
import { type RetryPolicy, withRetries } from './retry';

export interface Delivered extends SendResult {
	attempts: number;
}

/**
 * Sends one checked envelope: media preparation (an upload, harmless to repeat) and the send itself, each with
 * the retry policy. The send is not idempotent, so an ambiguous failure is reported, never resent.
 */
export async function deliverOne(channel: Channel, envelope: Envelope, policy: RetryPolicy, signal?: AbortSignal): Promise<Delivered> {
	const prepared = await withRetries(() => channel.prepare(envelope), policy, { idempotent: true, signal });
	const sent = await withRetries(() => channel.send(prepared.value), policy, { idempotent: false, signal });
	return { ...sent.value, attempts: sent.attempts };
}
