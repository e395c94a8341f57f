import { recipientAddress, type Recipient } from '../../../contract/phone';
import type { CampaignStore } from '../campaign/store';
import type { Driver, OutgoingMessage } from '../drivers/types';
import type { Session } from '../drivers/session';
import { isApiError, notOnWhatsApp, paced, quotaExceeded, sessionNotReady } from '../http/errors';
import type { Metrics } from '../metrics';
import type { QuotaGate } from '../quota';
import { crashPoint } from '../faults';

export interface SendResult {
	messageId: string;
	chatId: string;
}

export interface SenderOptions {
	driver: Driver;
	session: Session;
	quota: QuotaGate;
	/** The suit's one pace, shared with campaign claims. */
	pace: Pick<CampaignStore, 'reserveSendSlot'>;
	maxSendWaitMs: number;
	metrics: Metrics;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every send of the suit, single or campaign: session ready, quota reserved (always: no caller can skip the
 * count), number looked up, message handed to the driver. The reservation is given back only when the message
 * certainly did not go out.
 */
export class Sender {
	constructor(private readonly options: SenderOptions) {}

	/** A single send (`POST /api/send-message`): waits for the suit's pace slot, at most MAX_SEND_WAIT_MS, taken before sending. */
	async sendNow(recipient: Recipient, message: OutgoingMessage): Promise<SendResult> {
		const { session, pace, maxSendWaitMs } = this.options;
		if (!session.ready) throw sessionNotReady(session.status);
		return this.withQuota(async () => {
			const slot = await pace.reserveSendSlot(new Date(), maxSendWaitMs);
			if (!slot.granted) throw paced(slot.retryAfterMs, maxSendWaitMs);
			const wait = slot.slotAt - Date.now();
			if (wait > 0) await sleep(wait);
			return this.handOver(recipient, message, async () => undefined);
		});
	}

	/**
	 * A campaign send, whose pace slot the campaign's claim took. `handingOff` runs just before the driver gets
	 * the message (the campaign records it: from then on a crash means "unknown"); if it fails nothing is sent.
	 */
	async send(recipient: Recipient, message: OutgoingMessage, handingOff: () => Promise<void>): Promise<SendResult> {
		const { session } = this.options;
		if (!session.ready) throw sessionNotReady(session.status);
		return this.withQuota(() => this.handOver(recipient, message, handingOff));
	}

	private async withQuota(send: () => Promise<SendResult>): Promise<SendResult> {
		const { quota, metrics } = this.options;
		const reservation = await quota.reserve();
		if (!reservation.granted) throw quotaExceeded(reservation.used, reservation.limit, reservation.resetAt);
		try {
			crashPoint('reserved');
			return await send();
		} catch (error) {
			metrics.failed++;
			// Before the hand-off, or a driver's 4xx (e.g. an unknown message to react to): nothing was sent.
			if (!(error instanceof HandedOffError) || (isApiError(error.cause) && error.cause.status < 500)) await quota.release(reservation);
			throw error instanceof HandedOffError ? error.cause : error;
		}
	}

	private async handOver(recipient: Recipient, message: OutgoingMessage, handingOff: () => Promise<void>): Promise<SendResult> {
		const { driver, metrics } = this.options;
		const chatId = recipient.kind === 'group' ? recipient.chatId : await driver.numberId(recipient.digits);
		if (!chatId) throw notOnWhatsApp(recipientAddress(recipient));
		await handingOff();
		try {
			const messageId = await driver.send(chatId, message);
			metrics.sent++;
			return { messageId, chatId };
		} catch (error) {
			throw new HandedOffError(error);
		}
	}
}

/** A driver error after the hand-off: the quota unit stays taken unless the driver refused before sending. */
class HandedOffError extends Error {
	constructor(readonly cause: unknown) {
		super('handed off');
	}
}
