import type { Session } from '../drivers/session';
import { isApiError } from '../http/errors';
import { errorText, type Logger } from '../log';
import { recipientOf, outgoingMessage, type MessageLimits } from '../send/request';
import type { Sender } from '../send/sender';
import { Waker } from '../util/waker';
import type { CampaignSettings, QueuedReceiver } from './bulkRequest';
import type { CampaignStore } from './store';
import { renderTemplate } from '../../../nodes/whatsapp/templates/automator';
import { withRandomString } from '../../../nodes/whatsapp/variation';

/** `campaign` event data (docs/lite-api.md). */
export interface CampaignEvent {
	campaignId: string;
	recipient: string;
	userID?: string;
	status: 'sent' | 'failed' | 'skipped';
	messageId?: string;
	reason?: string;
}

export interface WorkerOptions {
	store: CampaignStore;
	sender: Sender;
	session: Session;
	report(event: CampaignEvent): void;
	delayUnitMs: number;
	messageLimits: MessageLimits;
	log: Logger;
	random?: () => number;
}

/** How long to look again when there is nothing to do (a new campaign or a ready session wakes it sooner). */
const IDLE_MS = 5_000;

/**
 * Sends queued campaigns one receiver at a time, never faster than the campaign's minimum delay, across
 * restarts too. Each receiver is claimed before its send: a crash between the claim and the send leaves that
 * receiver unsent (reported `skipped` on resume) rather than risking a second message — at most once.
 */
export class CampaignWorker {
	private readonly waker = new Waker();
	private running?: Promise<void>;

	constructor(private readonly options: WorkerOptions) {}

	start(): void {
		this.running ??= this.loop();
	}

	wake(): void {
		this.waker.wake();
	}

	async stop(): Promise<void> {
		this.waker.stop();
		await this.running;
	}

	private async loop(): Promise<void> {
		while (!this.waker.stopped) {
			let wait: number;
			try {
				wait = await this.step();
			} catch (error) {
				this.options.log.error(`Campaign worker: ${errorText(error)}`);
				wait = IDLE_MS;
			}
			if (wait > 0) await this.waker.sleep(wait);
		}
	}

	/** Does the next piece of work and says how long to wait before the next. */
	private async step(): Promise<number> {
		const { store, session } = this.options;
		const [campaignId] = await store.active();
		if (!campaignId || !session.ready) return IDLE_MS;
		const wait = (await store.nextSendAt()) - Date.now();
		if (wait > 0) return wait;
		const settings = await store.settings(campaignId);
		const receiver = await store.peek(campaignId);
		if (!settings || !receiver) {
			await store.finish(campaignId);
			this.options.log.info(`Campaign ${campaignId} finished`);
			return 0;
		}
		if (!(await store.claim(campaignId, receiver))) {
			await store.pop(campaignId);
			this.report(campaignId, receiver, { status: 'skipped', reason: 'its send was interrupted by a restart; not sent again to avoid a duplicate' });
			return 0;
		}
		return this.sendClaimed(settings, receiver);
	}

	private async sendClaimed(settings: CampaignSettings, receiver: QueuedReceiver): Promise<number> {
		const { store, sender } = this.options;
		try {
			const result = await sender.send(recipientOf(receiver.recipient, 'mobileNum'), this.message(settings, receiver));
			this.report(settings.id, receiver, { status: 'sent', messageId: result.messageId });
		} catch (error) {
			const retryAfter = this.retryLater(error);
			if (retryAfter !== undefined) {
				await store.unclaim(settings.id, receiver);
				return retryAfter;
			}
			this.report(settings.id, receiver, { status: 'failed', reason: errorText(error) });
		}
		await store.pop(settings.id);
		await store.setNextSendAt(Date.now() + this.gapMs(settings));
		return 0;
	}

	/** For a send that certainly did not happen and can later: how long to wait. */
	private retryLater(error: unknown): number | undefined {
		if (isApiError(error, 409)) return IDLE_MS;
		if (isApiError(error, 429)) {
			const resetAt = Date.parse(String(error.extra.resetAt));
			this.options.log.warn(`Campaigns paused: the daily quota is used up until ${error.extra.resetAt}`);
			return Math.max(resetAt - Date.now(), IDLE_MS);
		}
		return undefined;
	}

	private message(settings: CampaignSettings, receiver: QueuedReceiver) {
		const text = renderTemplate(settings.template, receiver.data);
		const message = settings.randomString ? withRandomString(text) : text;
		return outgoingMessage({ ...settings.fields, message }, this.options.messageLimits);
	}

	private gapMs(settings: CampaignSettings): number {
		const { minDelayMinutes: min, maxDelayMinutes: max } = settings;
		const minutes = settings.randomDelay ? min + (this.options.random ?? Math.random)() * (max - min) : min;
		return minutes * this.options.delayUnitMs;
	}

	private report(campaignId: string, receiver: QueuedReceiver, outcome: Pick<CampaignEvent, 'status' | 'messageId' | 'reason'>): void {
		this.options.report({ campaignId, recipient: receiver.recipient, ...(receiver.userID && { userID: receiver.userID }), ...outcome });
	}
}
