import { createHash, randomUUID } from 'node:crypto';
import type { StateStore } from '../store/types';
import type { InboundEvent } from './event';

export type ClaimStore = Pick<StateStore, 'claimDelivery' | 'confirmDelivery' | 'releaseDelivery'>;

/**
 * How long a delivery's claims stay pending while n8n takes the events over. A redelivery meanwhile is answered
 * "busy, deliver again" (never 2xx); a process that died before answering lets its claims lapse after this.
 */
export const PENDING_CLAIM_SECONDS = 120;

const contentHash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/**
 * What makes a delivery the same event again: a message by its ID, a status by message ID and status (read
 * after delivered is news), a Lite event by the container's event ID, anything else (Cloud errors, template
 * and account updates) by a hash of its content.
 */
function eventIdentity(event: InboundEvent): string {
	if (event.event === 'message' && event.messageId) return `message:${event.messageId}`;
	if (event.event === 'status' && event.messageId) return `status:${event.messageId}:${event.status ?? ''}`;
	if (event.deliveryId) return `delivery:${event.deliveryId}`;
	return `${event.event}:${contentHash(event.raw)}`;
}

export interface ClaimRequest {
	/** Names the trigger (workflow and node), so two workflows listening to the same number each get every event. */
	scope: string;
	/** How long a settled event stays a duplicate; 0: events are not de-duplicated. */
	windowSeconds: number;
	/** A signed request that must not be accepted twice (Lite), and how long it is remembered. */
	replay?: { signature: string; ttlSeconds: number };
}

/**
 * What makes a delivery's claims final, as plain data: the execution that took the events over carries it and
 * confirms the claims itself (it may run in another process, e.g. a queue-mode worker), so a sender that gave up
 * before n8n's answer does not start the events again.
 */
export interface DeliveryReceipt {
	token: string;
	claims: Array<{ key: string; ttlSeconds: number }>;
}

/** The events this delivery starts; `settle` after n8n answered: final when taken over, else given back. */
export interface DeliveryClaims {
	fresh: InboundEvent[];
	receipt?: DeliveryReceipt;
	settle(handedOver: boolean): Promise<void>;
}

/** Makes the claims of a delivery final (the execution with its events runs); harmless when already final. */
export async function confirmReceipt(store: ClaimStore, receipt: DeliveryReceipt): Promise<void> {
	await store.confirmDelivery(receipt.claims, receipt.token);
}

interface Claim {
	key: string;
	ttlSeconds: number;
	event?: InboundEvent;
}

function claimsOf(events: InboundEvent[], request: ClaimRequest): { claims: Claim[]; unclaimed: InboundEvent[] } {
	const claims: Claim[] = [];
	const unclaimed: InboundEvent[] = [];
	const keys = new Set<string>();
	if (request.replay)
		claims.push({ key: `wa:inbound:${request.scope}:replay:${request.replay.signature}`, ttlSeconds: request.replay.ttlSeconds });
	for (const event of events) {
		if (request.windowSeconds <= 0) {
			unclaimed.push(event);
			continue;
		}
		const key = `wa:inbound:${request.scope}:${event.backend}:${event.businessNumber}:${eventIdentity(event)}`;
		// The same event twice in one delivery starts once.
		if (keys.has(key)) continue;
		keys.add(key);
		claims.push({ key, ttlSeconds: request.windowSeconds, event });
	}
	return { claims, unclaimed };
}

/**
 * Claims a delivery's events all or nothing: pending until n8n took them over, then final for the window, or
 * given back when the hand-over failed (so the backend's redelivery starts them). 'busy' when an earlier
 * delivery of one of them is still being handed over: nothing is claimed, the answer must make the backend
 * deliver again. A replayed signed request starts nothing.
 */
export async function claimDelivery(events: InboundEvent[], store: ClaimStore, request: ClaimRequest): Promise<DeliveryClaims | 'busy'> {
	const { claims, unclaimed } = claimsOf(events, request);
	if (claims.length === 0) return { fresh: events, settle: async () => undefined };
	const token = randomUUID();
	const states = await store.claimDelivery(
		claims.map((claim) => claim.key),
		token,
		PENDING_CLAIM_SECONDS,
	);
	if (states === 'busy') return 'busy';
	const taken = claims.filter((_claim, index) => states[index] === 'new');
	const release = async () => {
		if (taken.length)
			await store.releaseDelivery(
				taken.map((claim) => claim.key),
				token,
			);
	};
	const replayed = request.replay !== undefined && states[0] === 'seen';
	const fresh = replayed ? [] : events.filter((event) => unclaimed.includes(event) || taken.some((claim) => claim.event === event));
	if (fresh.length === 0) {
		await release();
		return { fresh, settle: async () => undefined };
	}
	const receipt: DeliveryReceipt = { token, claims: taken.map(({ key, ttlSeconds }) => ({ key, ttlSeconds })) };
	return {
		fresh,
		receipt: taken.length ? receipt : undefined,
		settle: async (handedOver) => (handedOver ? await confirmReceipt(store, receipt) : await release()),
	};
}
