import { campaignSettingsDiffer, storeFull, tooManyCampaigns } from '../http/errors';
import type { CampaignSettings, QueuedReceiver } from './bulkRequest';
import {
	campaignGaps,
	canonicalSettings,
	emptyCounts,
	type CampaignState,
	type CampaignStore,
	type CampaignStoreOptions,
	type CampaignView,
	type Claim,
	type Counts,
	type EnqueueResult,
	type InFlight,
	type Outcome,
	type PaceFrom,
	type ReceiverState,
	type ReceiverStatus,
	type SlotAnswer,
} from './store';

interface MemoryCampaign {
	settings: CampaignSettings;
	canonical: string;
	state: CampaignState;
	createdAt: string;
	endedAt?: string;
	minGapMs: number;
	maxGapMs: number;
	/** The campaign's own pace: when its next message is due (epoch ms). */
	nextAt: number;
	pending: string[];
	receivers: Map<string, QueuedReceiver>;
	states: Map<string, ReceiverStatus>;
	counts: Counts;
	sending: Map<string, 'claimed' | 'handed'>;
	expiresAt: number;
	/** What it holds, as `sizeOf` counts it. */
	bytes: number;
}

/** Bytes a campaign's settings or a receiver hold, counted from their JSON; the constant covers maps, lists and states. */
const OVERHEAD = 256;
const receiverBytes = (receiver: QueuedReceiver) => Buffer.byteLength(JSON.stringify(receiver)) + OVERHEAD;
const settingsBytes = (canonical: string) => 2 * Buffer.byteLength(canonical) + OVERHEAD;

/**
 * The campaign store in this process (no REDIS_URL): the same steps as RedisCampaignStore's scripts, atomic
 * because none of them awaits; lost on restart. It holds at most `maxBytes` of campaigns and receivers: past it,
 * ended campaigns are evicted oldest end first, and when only running or paused ones are left a new request is
 * refused with 507 STORE_FULL.
 */
export class MemoryCampaignStore implements CampaignStore {
	private readonly campaigns = new Map<string, MemoryCampaign>();
	private bytes = 0;
	/** IDs not yet reported finished, oldest first. */
	private active: string[] = [];
	/** The suit's pace: the next send of any kind (single or campaign). */
	private pace = 0;

	constructor(
		private readonly options: CampaignStoreOptions,
		private readonly maxBytes = Number.POSITIVE_INFINITY,
	) {}

	/** A live campaign; expired ones are dropped here, as Redis drops expired keys (by the clock, like Redis's TTL). */
	private campaign(id: string): MemoryCampaign | undefined {
		const campaign = this.campaigns.get(id);
		if (campaign && campaign.expiresAt <= Date.now()) {
			this.drop(id);
			return undefined;
		}
		return campaign;
	}

	private drop(id: string): void {
		this.bytes -= this.campaigns.get(id)?.bytes ?? 0;
		this.campaigns.delete(id);
	}

	/** Room for `needed` more bytes, evicting ended campaigns (reported and forgotten) oldest end first; else 507. */
	private makeRoom(needed: number, keep: string): void {
		if (this.bytes + needed <= this.maxBytes) return;
		const ended = [...this.campaigns]
			.filter(([id, campaign]) => id !== keep && campaign.endedAt !== undefined && !this.active.includes(id))
			.sort(([, a], [, b]) => a.endedAt!.localeCompare(b.endedAt!));
		for (const [id] of ended) {
			if (this.bytes + needed <= this.maxBytes) return;
			this.drop(id);
		}
		if (this.bytes + needed > this.maxBytes) throw storeFull(needed, this.maxBytes);
	}

	private touch(campaign: MemoryCampaign): void {
		campaign.expiresAt = Date.now() + this.options.retentionSeconds * 1000;
	}

	private move(
		campaign: MemoryCampaign,
		recipient: string,
		from: ReceiverState,
		status: Omit<ReceiverStatus, 'updatedAt'>,
		now: Date,
	): void {
		campaign.states.set(recipient, { ...status, updatedAt: now.toISOString() });
		campaign.counts[from]--;
		campaign.counts[status.state]++;
	}

	async enqueue(settings: CampaignSettings, receivers: QueuedReceiver[], now: Date): Promise<EnqueueResult> {
		for (const id of [...this.campaigns.keys()]) this.campaign(id);
		let campaign = this.campaign(settings.id);
		const canonical = canonicalSettings(settings);
		if (campaign && campaign.canonical !== canonical) throw campaignSettingsDiffer(settings.id);
		if (!campaign && this.active.length >= this.options.maxActiveCampaigns) throw tooManyCampaigns(this.options.maxActiveCampaigns);
		const known = campaign?.states;
		const adding = receivers.filter((receiver) => !known?.has(receiver.recipient) && campaign?.state !== 'cancelled');
		const needed = adding.reduce((sum, receiver) => sum + receiverBytes(receiver), campaign ? 0 : settingsBytes(canonical));
		this.makeRoom(needed, settings.id);
		this.bytes += needed;
		if (!campaign) {
			campaign = {
				settings,
				canonical,
				state: 'running',
				createdAt: now.toISOString(),
				...campaignGaps(settings, this.options.delayUnitMs),
				nextAt: 0,
				pending: [],
				receivers: new Map(),
				states: new Map(),
				counts: emptyCounts(),
				sending: new Map(),
				expiresAt: 0,
				bytes: 0,
			};
			this.campaigns.set(settings.id, campaign);
		}
		campaign.bytes += needed;
		const result: EnqueueResult = { queued: 0, alreadyQueued: [], cancelled: [] };
		for (const receiver of receivers) {
			if (campaign.states.has(receiver.recipient)) result.alreadyQueued.push(receiver.recipient);
			else if (campaign.state === 'cancelled') result.cancelled.push(receiver.recipient);
			else {
				campaign.pending.push(receiver.recipient);
				campaign.receivers.set(receiver.recipient, receiver);
				campaign.states.set(receiver.recipient, { state: 'queued', updatedAt: now.toISOString() });
				campaign.counts.queued++;
				result.queued++;
			}
		}
		if (result.queued > 0) {
			if (campaign.state === 'finished') {
				campaign.state = 'running';
				delete campaign.endedAt;
			}
			if (!this.active.includes(settings.id)) this.active.push(settings.id);
		}
		this.touch(campaign);
		return result;
	}

	async claimNext(now: Date, random: number): Promise<Claim> {
		let chosen: [string, MemoryCampaign] | undefined;
		for (const id of [...this.active]) {
			const campaign = this.campaign(id);
			if (!campaign) {
				this.active = this.active.filter((other) => other !== id);
			} else if (
				campaign.sending.size === 0 &&
				(campaign.state === 'cancelled' || campaign.state === 'finished' || (campaign.state === 'running' && campaign.pending.length === 0))
			) {
				if (campaign.state === 'running') campaign.state = 'finished';
				campaign.endedAt ??= now.toISOString();
				this.touch(campaign);
				return { kind: 'ended', campaignId: id };
			} else if (campaign.state === 'running' && campaign.pending.length > 0 && (!chosen || campaign.nextAt < chosen[1].nextAt)) {
				chosen = [id, campaign];
			}
		}
		if (!chosen) return { kind: 'idle' };
		const [campaignId, campaign] = chosen;
		const due = Math.max(this.pace, campaign.nextAt);
		if (due > now.getTime()) return { kind: 'wait', ms: due - now.getTime() };
		const recipient = campaign.pending.shift()!;
		campaign.sending.set(recipient, 'claimed');
		this.move(campaign, recipient, 'queued', { state: 'sending' }, now);
		const gapMs = campaign.minGapMs + Math.floor(random * (campaign.maxGapMs - campaign.minGapMs));
		this.pace = now.getTime() + this.options.minSendGapMs;
		campaign.nextAt = now.getTime() + gapMs;
		this.touch(campaign);
		return { kind: 'claimed', campaignId, receiver: campaign.receivers.get(recipient)!, gapMs };
	}

	async handOff(campaignId: string, recipient: string): Promise<void> {
		const sending = this.campaign(campaignId)?.sending;
		if (!sending?.has(recipient)) throw new Error(`${recipient} of campaign ${campaignId} is not claimed`);
		sending.set(recipient, 'handed');
	}

	async record(campaignId: string, recipient: string, outcome: Outcome, now: Date, paceFrom?: PaceFrom): Promise<boolean> {
		const campaign = this.campaign(campaignId);
		if (paceFrom) {
			this.pace = Math.max(this.pace, paceFrom.sentAt + this.options.minSendGapMs);
			if (campaign) campaign.nextAt = Math.max(campaign.nextAt, paceFrom.sentAt + paceFrom.gapMs);
		}
		if (!campaign?.sending.delete(recipient)) return false;
		this.move(campaign, recipient, 'sending', outcome, now);
		this.touch(campaign);
		return true;
	}

	async release(campaignId: string, recipient: string, now: Date): Promise<'queued' | 'skipped' | 'gone'> {
		const campaign = this.campaign(campaignId);
		if (!campaign?.sending.delete(recipient)) return 'gone';
		this.touch(campaign);
		if (campaign.state === 'cancelled') {
			this.move(campaign, recipient, 'sending', { state: 'skipped', reason: 'campaign cancelled' }, now);
			return 'skipped';
		}
		campaign.pending.unshift(recipient);
		this.move(campaign, recipient, 'sending', { state: 'queued' }, now);
		return 'queued';
	}

	async inFlight(): Promise<InFlight[]> {
		return this.active.flatMap((campaignId) => {
			const campaign = this.campaign(campaignId);
			if (!campaign) return [];
			return [...campaign.sending].map(([recipient, phase]) => ({
				campaignId,
				receiver: campaign.receivers.get(recipient)!,
				handedOff: phase === 'handed',
			}));
		});
	}

	async forget(campaignId: string): Promise<void> {
		this.active = this.active.filter((id) => id !== campaignId);
	}

	async settings(campaignId: string): Promise<CampaignSettings | null> {
		return this.campaign(campaignId)?.settings ?? null;
	}

	async control(campaignId: string, action: 'pause' | 'resume' | 'cancel', now: Date) {
		const campaign = this.campaign(campaignId);
		if (!campaign) return null;
		const skipped: QueuedReceiver[] = [];
		if (action === 'pause' && campaign.state === 'running') campaign.state = 'paused';
		else if (action === 'resume' && campaign.state === 'paused') campaign.state = 'running';
		else if (action === 'cancel' && (campaign.state === 'running' || campaign.state === 'paused')) {
			campaign.state = 'cancelled';
			for (const recipient of campaign.pending) {
				this.move(campaign, recipient, 'queued', { state: 'skipped', reason: 'campaign cancelled' }, now);
				skipped.push(campaign.receivers.get(recipient)!);
			}
			campaign.pending = [];
		}
		this.touch(campaign);
		return { state: campaign.state, skipped };
	}

	async view(campaignId: string, offset: number, limit: number): Promise<CampaignView | null> {
		const campaign = this.campaign(campaignId);
		if (!campaign) return null;
		const order = [...campaign.states.keys()];
		return {
			campaignId,
			...(campaign.settings.name && { name: campaign.settings.name }),
			state: campaign.state,
			counts: { ...campaign.counts },
			createdAt: campaign.createdAt,
			...(campaign.endedAt && { endedAt: campaign.endedAt }),
			total: order.length,
			items: order.slice(offset, offset + limit).map((recipient) => {
				const { userID } = campaign.receivers.get(recipient)!;
				return { recipient, ...(userID !== undefined && { userID }), ...campaign.states.get(recipient)! };
			}),
		};
	}

	async reserveSendSlot(now: Date, maxWaitMs: number): Promise<SlotAnswer> {
		const slotAt = Math.max(now.getTime(), this.pace);
		if (slotAt - now.getTime() > maxWaitMs) return { granted: false, retryAfterMs: slotAt - now.getTime() };
		this.pace = slotAt + this.options.minSendGapMs;
		return { granted: true, slotAt };
	}

	async nextCampaignSendAt(campaignId: string): Promise<number> {
		return Math.max(this.pace, this.campaign(campaignId)?.nextAt ?? 0);
	}

	async depth(): Promise<number> {
		return this.active.reduce((sum, id) => sum + (this.campaign(id)?.pending.length ?? 0), 0);
	}
}
