import type { Session } from '../drivers/session';
import { crashPoint } from '../faults';
import { isApiError } from '../http/errors';
import { causeOf, errorMessage, type Logger } from '../../../contract/log';
import { validated } from '../http/schema';
import { messageFieldsSchema, outgoingMessage, recipientOf, type MessageLimits } from '../send/request';
import type { Sender } from '../send/sender';
import { Waker } from '../util/waker';
import type { CampaignSettings, QueuedReceiver } from './bulkRequest';
import type { OptOutGate } from '../optOuts';
import type { OutcomeJournal, PendingOutcome } from './outcomeJournal';
import { campaignEventId, reportReceiver, type CampaignReporter } from './events';
import type { CampaignStore, Outcome } from './store';
import { renderAutomator } from '../../../contract/automator';
import { withRandomString } from '../../../contract/variation';

export interface WorkerOptions {
	store: CampaignStore;
	sender: Sender;
	session: Session;
	report: CampaignReporter;
	journal: OutcomeJournal;
	/** A receiver who opted out after being queued is skipped when their turn comes. */
	optOuts: OptOutGate;
	messageLimits: MessageLimits;
	log: Logger;
	random?: () => number;
}

/** How long to look again when there is nothing to do (a new campaign or a ready session wakes it sooner). */
const IDLE_MS = 5_000;
/** How often to try again while Redis is unavailable. */
const STORE_RETRY_MS = 1_000;
/** Settings of running campaigns, read once each (they may carry inline media). */
const MAX_CACHED_SETTINGS = 256;

const UNKNOWN_AFTER_STOP =
	'unknown — may have been sent: the gateway stopped (crash or Redis outage) after handing the message to WhatsApp';

/**
 * Sends queued campaigns one receiver at a time, through recorded states: claim (pace slot taken) → hand-off →
 * outcome (a local journal first, then Redis). After a crash or a Redis outage it first settles what it left:
 * a claim never handed off goes back to the queue, a hand-off without an outcome becomes `unknown`, never
 * `skipped`. Store errors pause it (no loss, no duplicate) until Redis answers again.
 */
export class CampaignWorker {
	private readonly waker = new Waker();
	private readonly settingsCache = new Map<string, CampaignSettings>();
	/** A rendered text is checked like a request's (its placeholders may have made it too long). */
	private readonly fieldsSchema: ReturnType<typeof messageFieldsSchema>;
	private running?: Promise<void>;
	/** True at start and after any failed step: receivers left `sending` must be settled before the next claim. */
	private needsRecovery = true;
	private storeDown = false;

	constructor(private readonly options: WorkerOptions) {
		this.fieldsSchema = messageFieldsSchema(options.messageLimits);
	}

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
				if (this.storeDown) this.options.log.info('Campaigns resume: Redis answers again');
				this.storeDown = false;
			} catch (error) {
				this.needsRecovery = true;
				wait = isApiError(error, 503) ? STORE_RETRY_MS : IDLE_MS;
				if (!isApiError(error, 503)) this.options.log.error('Campaign worker failed', causeOf(error));
				else if (!this.storeDown)
					this.options.log.warn('Campaigns paused: Redis is unavailable (nothing is lost; they resume when it answers)');
				this.storeDown ||= isApiError(error, 503);
			}
			if (wait > 0) await this.waker.sleep(wait);
		}
	}

	/** Does the next piece of work and says how long to wait before the next. */
	private async step(): Promise<number> {
		const { store, session } = this.options;
		await this.recordJournaledOutcome();
		if (this.needsRecovery) {
			await this.recover();
			this.needsRecovery = false;
		}
		if (!session.ready) return IDLE_MS;
		const claim = await store.claimNext(new Date(), (this.options.random ?? Math.random)());
		if (claim.kind === 'idle') return IDLE_MS;
		if (claim.kind === 'wait') return claim.ms;
		if (claim.kind === 'ended') {
			await this.reportEnd(claim.campaignId);
			return 0;
		}
		crashPoint('claim');
		return this.sendClaimed(claim.campaignId, claim.receiver, claim.gapMs);
	}

	private async sendClaimed(campaignId: string, receiver: QueuedReceiver, gapMs: number): Promise<number> {
		const { store, sender } = this.options;
		// Not sent, nothing to retry: a Redis outage here is the loop's (recovery puts the claim back).
		const [optedOut] = await this.options.optOuts.refusals([receiver.recipient]);
		if (optedOut) return await this.settle({ campaignId, receiver, outcome: { state: 'skipped', reason: optedOut } });
		let handedOff = false;
		let outcome: Outcome;
		try {
			const message = this.message(await this.settingsOf(campaignId), receiver);
			const result = await sender.send(recipientOf(receiver.recipient, 'mobileNum'), message, async () => {
				await store.handOff(campaignId, receiver.recipient);
				handedOff = true;
				crashPoint('handoff');
			});
			crashPoint('send');
			outcome = { state: 'sent', messageId: result.messageId };
		} catch (error) {
			const retryAfter = handedOff ? undefined : this.retryLater(error);
			if (retryAfter !== undefined) {
				await this.putBack(campaignId, receiver);
				return retryAfter;
			}
			// A refusal before the hand-off (or a driver's 4xx) sent nothing; anything else after it may have gone out.
			const certain = !handedOff || (isApiError(error) && error.status < 500);
			outcome = certain
				? { state: 'failed', reason: errorMessage(error) }
				: { state: 'unknown', reason: `unknown — may have been sent: ${errorMessage(error)}` };
		}
		return await this.settle({ campaignId, receiver, outcome, paceFrom: handedOff ? { sentAt: Date.now(), gapMs } : undefined });
	}

	/** Journals a claimed receiver's outcome, then records it: a crash in between loses nothing. */
	private async settle(pending: PendingOutcome): Promise<number> {
		this.options.journal.save(pending);
		crashPoint('outcome');
		await this.recordJournaledOutcome();
		return 0;
	}

	/** For a send that certainly did not happen and can later: how long to wait. */
	private retryLater(error: unknown): number | undefined {
		if (isApiError(error, 503)) return STORE_RETRY_MS;
		if (isApiError(error, 409)) return IDLE_MS;
		if (isApiError(error, 429)) {
			const resetAt = Date.parse(String(error.extra.resetAt));
			this.options.log.warn(`Campaigns paused: the daily quota is used up until ${error.extra.resetAt}`);
			return Math.max(resetAt - Date.now(), IDLE_MS);
		}
		return undefined;
	}

	/** Records the journaled outcome (if any) in Redis, reports it, then forgets it; throws while Redis is down. */
	private async recordJournaledOutcome(): Promise<void> {
		const { journal, store } = this.options;
		const pending = journal.load();
		if (!pending) return;
		await store.record(pending.campaignId, pending.receiver.recipient, pending.outcome, new Date(), pending.paceFrom);
		this.reportReceiver(pending.campaignId, pending.receiver, pending.outcome);
		journal.clear();
	}

	/** Settles receivers a crash or an outage left `sending`. */
	private async recover(): Promise<void> {
		const { store, log } = this.options;
		for (const { campaignId, receiver, handedOff } of await store.inFlight()) {
			if (handedOff) {
				const outcome: Outcome = { state: 'unknown', reason: UNKNOWN_AFTER_STOP };
				if (await store.record(campaignId, receiver.recipient, outcome, new Date())) this.reportReceiver(campaignId, receiver, outcome);
				log.warn(
					`Campaign ${campaignId}: ${receiver.recipient} may have been sent before the gateway stopped: reported unknown, not sent again`,
				);
			} else {
				await this.putBack(campaignId, receiver);
			}
		}
	}

	private async putBack(campaignId: string, receiver: QueuedReceiver): Promise<void> {
		if ((await this.options.store.release(campaignId, receiver.recipient, new Date())) === 'skipped') {
			this.reportReceiver(campaignId, receiver, { state: 'skipped', reason: 'campaign cancelled' });
		}
	}

	private async reportEnd(campaignId: string): Promise<void> {
		const view = await this.options.store.view(campaignId, 0, 0);
		if (view)
			this.options.report(
				{ campaignId, status: 'finished', counts: view.counts },
				campaignEventId(campaignId, 'finished', view.endedAt ?? ''),
			);
		await this.options.store.forget(campaignId);
		this.settingsCache.delete(campaignId);
		this.options.log.info(`Campaign ${campaignId} ${view?.state ?? 'ended'}`);
	}

	private async settingsOf(campaignId: string): Promise<CampaignSettings> {
		const cached = this.settingsCache.get(campaignId);
		if (cached) return cached;
		const settings = await this.options.store.settings(campaignId);
		if (!settings) throw new Error(`Campaign ${campaignId} has no settings`);
		if (this.settingsCache.size >= MAX_CACHED_SETTINGS) this.settingsCache.clear();
		this.settingsCache.set(campaignId, settings);
		return settings;
	}

	private message(settings: CampaignSettings, receiver: QueuedReceiver) {
		const text = renderAutomator(settings.template, receiver.data).text;
		const message = settings.randomString ? withRandomString(text) : text;
		return outgoingMessage(validated(this.fieldsSchema, { ...settings.fields, message }), this.options.messageLimits);
	}

	private reportReceiver(campaignId: string, receiver: QueuedReceiver, outcome: Outcome | { state: 'skipped'; reason: string }): void {
		reportReceiver(this.options.report, campaignId, receiver, outcome);
	}
}
