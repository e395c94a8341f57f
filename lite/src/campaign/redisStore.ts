import { ReplyError, type Cluster, type Redis } from 'ioredis';
import { campaignSettingsDiffer, tooManyCampaigns } from '../http/errors';
import { guarded } from '../store/redis';
import { defineScripts } from '../../../contract/redis/scripts';
import { campaignKey, campaignScriptKeys, keyIdChanged, type CampaignPart } from './keys';
import { CAMPAIGN_SCRIPT_DIR } from './scripts';
import { MAX_DELAY_MINUTES } from '../../../contract/limits';
import type { CampaignSettings, QueuedReceiver } from './bulkRequest';
import {
	campaignGaps,
	canonicalSettings,
	RECEIVER_STATES,
	type CampaignState,
	type CampaignStore,
	type CampaignStoreOptions,
	type CampaignView,
	type Claim,
	type EnqueueResult,
	type InFlight,
	type Outcome,
	type PaceFrom,
	type ReceiverStatus,
	type SlotAnswer,
} from './store';

/*
 * Keys (base = `<prefix>lite:{<suit>}:`, the suit ID the hash tag: one Redis Cluster slot per suit; every key a script
 * touches is one of its KEYS, see scripts/campaignKeys.lua; `<id>` is the campaign ID as keys.ts encodes it):
 * - `campaigns`: IDs of campaigns not yet reported finished, oldest first
 * - `campaign:<id>`: hash: settings, name, state, createdAt, endedAt, minGapMs, maxGapMs, active, nextAt (the campaign's
 *   own pace: when its next message is due, epoch ms)
 * - `campaign:<id>:pending`: recipients still queued, in order;  `:order`: every recipient, in order (paging)
 * - `campaign:<id>:receivers`: recipient → receiver JSON;  `:states`: recipient → ReceiverStatus JSON
 * - `campaign:<id>:counts`: state → count;  `:sending`: recipient → "claimed" | "handed"
 * - `pace`: the suit's next send of any kind (epoch ms). (Gateways before issue 21 kept one `campaignPace` for all
 *   campaigns; it is no longer read and expires by itself a minute after its time.)
 * Every script that changes a campaign gives all its keys (and `campaigns`) the retention TTL again, so an ended
 * campaign's keys expire the retention time after its end. Pace keys expire a minute after their time.
 */
/** The scripts (scripts/<name>.lua, each after campaignKeys.lua and campaignCommon.lua), each given its keys' count. */
const SCRIPTS = {
	campaignEnqueue: 'first argument',
	campaignClaim: 'first argument',
	campaignHandOff: 'first argument',
	campaignRecord: 'first argument',
	campaignRelease: 'first argument',
	campaignControl: 'first argument',
	campaignSendSlot: 'first argument',
	campaignAdopt: 'first argument',
} as const;
type Script = keyof typeof SCRIPTS;

/** The campaign store in Redis: each step one Lua script (atomic; a lost connection makes it 503 STORE_UNAVAILABLE). */
export class RedisCampaignStore implements CampaignStore {
	private readonly scripts;
	private takenOver?: Promise<void>;

	/** `legacyBase`: where gateways before issue 27 kept this suit's campaigns, taken over on first use. */
	constructor(
		private readonly redis: Redis | Cluster,
		private readonly base: string,
		private readonly options: CampaignStoreOptions,
		private readonly legacyBase?: string,
	) {
		this.scripts = defineScripts(redis, CAMPAIGN_SCRIPT_DIR, SCRIPTS, ['campaignKeys', 'campaignCommon']);
	}

	/**
	 * Runs a script over the keys of the campaigns `ids` (and the suit's list and pace). The scripts answer Redis
	 * replies of each script's own shape, which each caller reads (as ioredis types them: any).
	 */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	private run(script: Script, ids: string[], ...args: Array<string | number>): Promise<any> {
		const keys = campaignScriptKeys(this.base, ids);
		return guarded(async () => {
			await this.takeOver();
			return this.scripts[script](keys.length, ...keys, JSON.stringify(ids), ...args);
		});
	}

	/** A script over one campaign's keys, whose ID is its first argument. */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see run
	private runFor(script: Script, campaignId: string, ...args: Array<string | number>): Promise<any> {
		return this.run(script, [campaignId], campaignId, ...args);
	}

	/**
	 * The first time the store is used, the campaigns and pace a gateway before issue 27 kept under `legacyBase` (no
	 * hash tag) are renamed to this base, so an upgrade neither loses nor resends campaigns in flight. Only on a
	 * single Redis: on a Cluster those scripts could not run, so nothing was kept there.
	 */
	private takeOver(): Promise<void> {
		if (!this.legacyBase || this.redis.isCluster) return Promise.resolve();
		this.takenOver ??= renameKeys(this.redis as Redis, this.legacyBase, this.base).catch((error: unknown) => {
			this.takenOver = undefined;
			throw error;
		});
		return this.takenOver;
	}

	private key(id: string, part: CampaignPart = ''): string {
		return campaignKey(this.base, id, part);
	}

	/** Before a read outside the scripts: the campaign's keys under their current names (see scripts/campaignKeys.lua). */
	private async adopt(id: string): Promise<void> {
		await guarded(() => this.takeOver());
		if (keyIdChanged(id)) await this.runFor('campaignAdopt', id);
	}

	private get ttl(): number {
		return Math.ceil(this.options.retentionSeconds);
	}

	async enqueue(settings: CampaignSettings, receivers: QueuedReceiver[], now: Date): Promise<EnqueueResult> {
		const { minGapMs, maxGapMs } = campaignGaps(settings, this.options.delayUnitMs);
		const pairs = receivers.flatMap((receiver) => [receiver.recipient, JSON.stringify(receiver)]);
		const [answer, queued, alreadyQueued, cancelled] = await this.runFor(
			'campaignEnqueue',
			settings.id,
			canonicalSettings(settings),
			settings.name ?? '',
			now.toISOString(),
			this.ttl,
			this.options.maxActiveCampaigns,
			minGapMs,
			maxGapMs,
			...pairs,
		);
		if (answer === 'differ') throw campaignSettingsDiffer(settings.id);
		if (answer === 'full') throw tooManyCampaigns(this.options.maxActiveCampaigns);
		return { queued: Number(queued), alreadyQueued, cancelled };
	}

	async claimNext(now: Date, random: number): Promise<Claim> {
		const maxGapMs = MAX_DELAY_MINUTES * this.options.delayUnitMs;
		const [kind, a, b, gap] = await this.run(
			'campaignClaim',
			await this.activeIds(),
			now.getTime(),
			now.toISOString(),
			random,
			this.options.minSendGapMs,
			this.ttl,
			maxGapMs,
		);
		if (kind === 'wait') return { kind, ms: Number(a) };
		if (kind === 'ended') return { kind, campaignId: a };
		if (kind === 'claimed') return { kind, campaignId: a, receiver: JSON.parse(b) as QueuedReceiver, gapMs: Number(gap) };
		return { kind: 'idle' };
	}

	async handOff(campaignId: string, recipient: string): Promise<void> {
		if (!(await this.runFor('campaignHandOff', campaignId, recipient)))
			throw new Error(`${recipient} of campaign ${campaignId} is not claimed`);
	}

	async record(campaignId: string, recipient: string, outcome: Outcome, now: Date, paceFrom?: PaceFrom): Promise<boolean> {
		const messageId = outcome.state === 'sent' ? outcome.messageId : '';
		const reason = outcome.state === 'sent' ? '' : outcome.reason;
		const pace = paceFrom ? [paceFrom.sentAt, paceFrom.gapMs] : ['', ''];
		const args = [
			recipient,
			outcome.state,
			messageId,
			reason,
			now.toISOString(),
			this.ttl,
			now.getTime(),
			this.options.minSendGapMs,
			...pace,
		];
		return (await this.runFor('campaignRecord', campaignId, ...args)) === 1;
	}

	release(campaignId: string, recipient: string, now: Date): Promise<'queued' | 'skipped' | 'gone'> {
		return this.runFor('campaignRelease', campaignId, recipient, now.toISOString(), this.ttl);
	}

	async inFlight(): Promise<InFlight[]> {
		const found: InFlight[] = [];
		for (const campaignId of await this.activeIds()) {
			await this.adopt(campaignId);
			const sending = await guarded(() => this.redis.hgetall(this.key(campaignId, ':sending')));
			for (const [recipient, phase] of Object.entries(sending)) {
				const raw = await guarded(() => this.redis.hget(this.key(campaignId, ':receivers'), recipient));
				found.push({
					campaignId,
					receiver: raw ? (JSON.parse(raw) as QueuedReceiver) : { recipient, data: {} },
					handedOff: phase === 'handed',
				});
			}
		}
		return found;
	}

	async forget(campaignId: string): Promise<void> {
		await this.adopt(campaignId);
		await guarded(() => this.redis.multi().lrem(`${this.base}campaigns`, 0, campaignId).hset(this.key(campaignId), 'active', '0').exec());
	}

	async settings(campaignId: string): Promise<CampaignSettings | null> {
		await this.adopt(campaignId);
		const raw = await guarded(() => this.redis.hget(this.key(campaignId), 'settings'));
		return raw ? (JSON.parse(raw) as CampaignSettings) : null;
	}

	async control(campaignId: string, action: 'pause' | 'resume' | 'cancel', now: Date) {
		const [state, skipped] = (await this.runFor('campaignControl', campaignId, action, now.toISOString(), this.ttl)) as [
			CampaignState | 'missing',
			string[],
		];
		if (state === 'missing') return null;
		return { state, skipped: skipped.map((raw) => JSON.parse(raw) as QueuedReceiver) };
	}

	async view(campaignId: string, offset: number, limit: number): Promise<CampaignView | null> {
		await this.adopt(campaignId);
		const [meta, counts, total, page] = await guarded(async () => {
			const answers = await this.redis
				.multi()
				.hmget(this.key(campaignId), 'state', 'name', 'createdAt', 'endedAt')
				.hgetall(this.key(campaignId, ':counts'))
				.llen(this.key(campaignId, ':order'))
				.lrange(this.key(campaignId, ':order'), offset, offset + limit - 1)
				.exec();
			return answers!.map(([error, value]) => {
				if (error) throw error;
				return value;
			}) as [Array<string | null>, Record<string, string>, number, string[]];
		});
		const [state, name, createdAt, endedAt] = meta;
		if (!state) return null;
		const [states, receivers] = page.length
			? await guarded(() =>
					Promise.all([
						this.redis.hmget(this.key(campaignId, ':states'), ...page),
						this.redis.hmget(this.key(campaignId, ':receivers'), ...page),
					]),
				)
			: [[], []];
		return {
			campaignId,
			...(name && { name }),
			state: state as CampaignState,
			counts: Object.fromEntries(RECEIVER_STATES.map((key) => [key, Number(counts[key] ?? 0)])) as CampaignView['counts'],
			createdAt: createdAt!,
			...(endedAt && { endedAt }),
			total,
			items: page.map((recipient, index) => {
				const receiver = JSON.parse(receivers[index] ?? '{}') as Partial<QueuedReceiver>;
				return {
					recipient,
					...(receiver.userID !== undefined && { userID: receiver.userID }),
					...(JSON.parse(states[index] ?? '{}') as ReceiverStatus),
				};
			}),
		};
	}

	async reserveSendSlot(now: Date, maxWaitMs: number): Promise<SlotAnswer> {
		const [granted, value] = await this.run('campaignSendSlot', [], now.getTime(), this.options.minSendGapMs, maxWaitMs);
		return granted === 1 ? { granted: true, slotAt: Number(value) } : { granted: false, retryAfterMs: Number(value) };
	}

	async nextCampaignSendAt(campaignId: string): Promise<number> {
		const [pace, nextAt] = await guarded(() =>
			Promise.all([this.redis.get(`${this.base}pace`), this.redis.hget(this.key(campaignId), 'nextAt')]),
		);
		return Math.max(Number(pace ?? 0), Number(nextAt ?? 0));
	}

	async depth(): Promise<number> {
		let depth = 0;
		for (const id of await this.activeIds()) {
			await this.adopt(id);
			depth += await guarded(() => this.redis.llen(this.key(id, ':pending')));
		}
		return depth;
	}

	private activeIds(): Promise<string[]> {
		return guarded(async () => {
			await this.takeOver();
			return this.redis.lrange(`${this.base}campaigns`, 0, -1);
		});
	}
}

/** `*`, `?`, `[`, `]` and `\` match only themselves in a SCAN pattern. */
const globEscaped = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

/** Renames every campaign key (the list, each campaign's keys, the pace) under `from` to the same name under `to`. */
async function renameKeys(redis: Redis, from: string, to: string): Promise<void> {
	const names = [`${from}pace`];
	for await (const batch of redis.scanStream({ match: `${globEscaped(from)}campaign*`, count: 1000 })) names.push(...(batch as string[]));
	for (const name of names) {
		await redis.renamenx(name, to + name.slice(from.length)).catch((error: unknown) => {
			// A key that expired since the scan has nothing to take over.
			if (error instanceof ReplyError && /no such key/i.test((error as Error).message)) return;
			throw error;
		});
	}
}
