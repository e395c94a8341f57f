import { recipientAddress, type Recipient } from '../../../nodes/whatsapp/phone';
import type { Driver, OutgoingMessage } from '../drivers/types';
import type { Session } from '../drivers/session';
import { isApiError, notOnWhatsApp, quotaExceeded, sessionNotReady } from '../http/errors';
import type { Metrics } from '../metrics';
import type { QuotaGate } from '../quota';

export interface SendResult {
	messageId: string;
	chatId: string;
}

/**
 * One send, as both the API and the campaign worker do it: session ready, quota reserved, number looked up,
 * message sent. The reservation is given back only when the message certainly did not go out.
 */
export class Sender {
	constructor(
		private readonly driver: Driver,
		private readonly session: Session,
		private readonly quota: QuotaGate,
		private readonly metrics: Metrics,
	) {}

	/**
	 * `quotaReservedByCaller`: the n8n nodes reserve in the same quota key before calling (so their executions and
	 * workers share it); counting the message again here would halve the quota.
	 */
	async send(recipient: Recipient, message: OutgoingMessage, quotaReservedByCaller = false): Promise<SendResult> {
		if (!this.session.ready) throw sessionNotReady(this.session.status);
		const reservation = quotaReservedByCaller ? undefined : await this.quota.reserve();
		if (reservation && !reservation.granted) throw quotaExceeded(reservation.used, reservation.limit, reservation.resetAt);
		let handedToWhatsApp = false;
		try {
			const chatId = recipient.kind === 'group' ? recipient.chatId : await this.driver.numberId(recipient.digits);
			if (!chatId) throw notOnWhatsApp(recipientAddress(recipient));
			handedToWhatsApp = true;
			const messageId = await this.driver.send(chatId, message);
			this.metrics.sent++;
			return { messageId, chatId };
		} catch (error) {
			this.metrics.failed++;
			// A driver's 4xx (e.g. an unknown message to react to) is a refusal before anything was sent.
			if (reservation && (!handedToWhatsApp || (isApiError(error) && error.status < 500))) await this.quota.release(reservation);
			throw error;
		}
	}
}
