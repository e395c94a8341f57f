import type { DeliveryReports, DeliveryUpdate } from '../store/reports';
import { identityAliases } from '../identity';
import { INBOUND_STATUSES, type InboundEvent } from './event';

type Status = (typeof INBOUND_STATUSES)[number];
const isStatus = (value: string | undefined): value is Status => (INBOUND_STATUSES as readonly string[]).includes(value ?? '');

function statusUpdate(event: InboundEvent, status: Status, at: string): DeliveryUpdate {
	if (status !== 'failed') return { state: status, at };
	const [error] = event.errors ?? [];
	return { state: 'failed', at, ...(error && { error: { code: error.code, title: error.title ?? error.message } }) };
}

/**
 * The message a person's message answers: the one it quotes (Cloud `context.id`, Lite `quotedMessageId`) or
 * reacts to, else the last tracked message to that person within the reply window. Group messages answer only
 * what they quote.
 */
async function answeredMessage(event: InboundEvent, reports: DeliveryReports): Promise<string | undefined> {
	const quoted = event.replyTo ?? event.reaction?.messageId;
	if (quoted) return quoted;
	if (event.groupId) return undefined;
	// The campaign recorded the person under their phone, or under their BSUID when it sent to that alone.
	for (const key of identityAliases({ phone: event.from, userId: event.userId ?? undefined })) {
		const latest = await reports.latestMessage(event.backend, event.businessNumber, key);
		if (latest) return latest;
	}
	return undefined;
}

/**
 * Moves the delivery state of the campaign messages these events are about: statuses (Cloud statuses, Lite acks)
 * and replies. Cloud: only messages the campaign ledger tracks. Lite: every acked message of the suit is tracked
 * from its first ack (a container campaign's messages are sent by the gateway, which lists their IDs). Repeating
 * an event changes nothing, so redeliveries are harmless.
 */
export async function recordDeliveryUpdates(events: InboundEvent[], reports: DeliveryReports, now = new Date()): Promise<void> {
	// One round trip for the delivery: the updates go out together (in order on the one Redis connection).
	await Promise.all(events.map(async (event) => await recordOne(event, reports, event.timestamp ?? now.toISOString())));
}

async function recordOne(event: InboundEvent, reports: DeliveryReports, at: string): Promise<void> {
	if (event.event === 'status' && event.messageId && isStatus(event.status)) {
		const createFor = event.backend === 'lite' && event.to ? { senderId: event.businessNumber, recipient: event.to } : undefined;
		await reports.update(event.backend, event.messageId, statusUpdate(event, event.status, at), createFor);
	} else if (event.event === 'message') {
		const answered = await answeredMessage(event, reports);
		if (answered) await reports.update(event.backend, answered, { state: 'replied', at });
	}
}
