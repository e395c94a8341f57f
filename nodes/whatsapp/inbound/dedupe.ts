import type { StateStore } from '../store/types';
import type { InboundEvent } from './normalise';

/**
 * What makes a delivery the same event again: a message by its ID, a status by message ID and status (read
 * after delivered is news), a Lite session change by the container's event ID. Cloud errors carry no ID and
 * are never dropped.
 */
function eventIdentity(event: InboundEvent): string | undefined {
	if (event.event === 'message' && event.messageId) return `message:${event.messageId}`;
	if (event.event === 'status' && event.messageId) return `status:${event.messageId}:${event.status ?? ''}`;
	if (event.deliveryId) return `delivery:${event.deliveryId}`;
	return undefined;
}

/**
 * The events not seen before by this trigger within `windowSeconds` (0: all of them). `scope` names the
 * trigger (workflow and node), so two workflows listening to the same number each get every event once.
 */
export async function firstDeliveries(
	events: InboundEvent[],
	store: Pick<StateStore, 'claimOnce'>,
	scope: string,
	windowSeconds: number,
): Promise<InboundEvent[]> {
	if (windowSeconds <= 0) return events;
	const fresh: InboundEvent[] = [];
	for (const event of events) {
		const identity = eventIdentity(event);
		if (!identity || (await store.claimOnce(`wa:inbound:${scope}:${event.backend}:${event.businessNumber}:${identity}`, windowSeconds))) fresh.push(event);
	}
	return fresh;
}
