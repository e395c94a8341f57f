import type Redis from 'ioredis';
import { campaignSettingsDiffer, tooManyCampaigns } from '../http/errors';
import { guarded } from '../store/redis';
import { campaignKey, keyIdChanged, LUA_CAMPAIGN_KEYS, type CampaignPart } from './keys';
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
 * Keys (base = `<prefix>lite:<suit>:`; one Redis, not a cluster: scripts build campaign keys from the base; `<id>` is
 * the campaign ID as keys.ts encodes it):
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
const COMMON = `
local base = ARGV[1]
${LUA_CAMPAIGN_KEYS}
local function touch(id, ttl)
  for _, part in ipairs(PARTS) do redis.call('EXPIRE', ck(id, part), ttl) end
  redis.call('EXPIRE', base .. 'campaigns', ttl)
end
local function status(state, messageId, reason, at)
  return cjson.encode({state = state, messageId = messageId, reason = reason, updatedAt = at})
end
local function count(id, from, to, n)
  redis.call('HINCRBY', ck(id, ':counts'), from, -n)
  redis.call('HINCRBY', ck(id, ':counts'), to, n)
end
local function setPace(key, at, now)
  redis.call('SET', key, at, 'PX', math.max(at - now, 0) + 60000)
end
local function setPaceAtLeast(key, at, now)
  if at > tonumber(redis.call('GET', key) or '0') then setPace(key, at, now) end
end
`;

/** ARGV: base, id, settings, name, nowIso, ttl, maxActive, minGapMs, maxGapMs, then recipient, receiver JSON pairs. */
const ENQUEUE = `${COMMON}
local id, at, ttl = ARGV[2], ARGV[5], ARGV[6]
adopt(id)
local meta = ck(id, '')
local state = redis.call('HGET', meta, 'state')
if state then
  if redis.call('HGET', meta, 'settings') ~= ARGV[3] then return {'differ'} end
else
  if redis.call('LLEN', base .. 'campaigns') >= tonumber(ARGV[7]) then return {'full'} end
  redis.call('HSET', meta, 'settings', ARGV[3], 'name', ARGV[4], 'state', 'running', 'createdAt', at, 'minGapMs', ARGV[8], 'maxGapMs', ARGV[9])
  state = 'running'
end
local already, refused, queued = {}, {}, 0
for i = 10, #ARGV, 2 do
  local r = ARGV[i]
  if redis.call('HEXISTS', ck(id, ':states'), r) == 1 then already[#already + 1] = r
  elseif state == 'cancelled' then refused[#refused + 1] = r
  else
    redis.call('RPUSH', ck(id, ':pending'), r)
    redis.call('RPUSH', ck(id, ':order'), r)
    redis.call('HSET', ck(id, ':receivers'), r, ARGV[i + 1])
    redis.call('HSET', ck(id, ':states'), r, status('queued', nil, nil, at))
    queued = queued + 1
  end
end
if queued > 0 then
  redis.call('HINCRBY', ck(id, ':counts'), 'queued', queued)
  if state == 'finished' then
    redis.call('HSET', meta, 'state', 'running')
    redis.call('HDEL', meta, 'endedAt')
  end
  if redis.call('HGET', meta, 'active') ~= '1' then
    redis.call('HSET', meta, 'active', '1')
    redis.call('RPUSH', base .. 'campaigns', id)
  end
end
touch(id, ttl)
return {'ok', queued, already, refused}
`;

/**
 * ARGV: base, nowMs, nowIso, random, minSendGapMs, ttl, maxGapMs. Picks the running campaign due soonest (the oldest of
 * equals); its own `nextAt` and the suit's `pace` must both be due. A gap read back is kept within 0..maxGapMs, so
 * nothing a campaign stored can make the claim fail.
 */
const CLAIM = `${COMMON}
local now, at, ttl, maxGap = tonumber(ARGV[2]), ARGV[3], ARGV[6], tonumber(ARGV[7])
local function gapField(meta, field)
  local gap = tonumber(redis.call('HGET', meta, field) or '0') or maxGap
  if gap ~= gap or gap > maxGap then return maxGap end
  return math.max(gap, 0)
end
local chosen, chosenAt
for _, id in ipairs(redis.call('LRANGE', base .. 'campaigns', 0, -1)) do
  adopt(id)
  local meta = ck(id, '')
  local state = redis.call('HGET', meta, 'state')
  local left = redis.call('LLEN', ck(id, ':pending'))
  if not state then
    redis.call('LREM', base .. 'campaigns', 0, id)
  elseif redis.call('HLEN', ck(id, ':sending')) == 0 and (state == 'cancelled' or state == 'finished' or (state == 'running' and left == 0)) then
    if state == 'running' then redis.call('HSET', meta, 'state', 'finished') end
    if not redis.call('HGET', meta, 'endedAt') then redis.call('HSET', meta, 'endedAt', at) end
    touch(id, ttl)
    return {'ended', id}
  elseif state == 'running' and left > 0 then
    local nextAt = tonumber(redis.call('HGET', meta, 'nextAt') or '0') or 0
    if not chosen or nextAt < chosenAt then chosen, chosenAt = id, nextAt end
  end
end
if not chosen then return {'idle'} end
local due = math.max(tonumber(redis.call('GET', base .. 'pace') or '0'), chosenAt)
if due > now then return {'wait', tostring(due - now)} end
local meta = ck(chosen, '')
local r = redis.call('LPOP', ck(chosen, ':pending'))
redis.call('HSET', ck(chosen, ':sending'), r, 'claimed')
redis.call('HSET', ck(chosen, ':states'), r, status('sending', nil, nil, at))
count(chosen, 'queued', 'sending', 1)
local minGap = gapField(meta, 'minGapMs')
local gap = minGap + math.floor(tonumber(ARGV[4]) * (math.max(gapField(meta, 'maxGapMs'), minGap) - minGap))
setPace(base .. 'pace', now + tonumber(ARGV[5]), now)
redis.call('HSET', meta, 'nextAt', tostring(now + gap))
touch(chosen, ttl)
return {'claimed', chosen, redis.call('HGET', ck(chosen, ':receivers'), r), tostring(gap)}
`;

/** ARGV: base, id, recipient. */
const HAND_OFF = `${COMMON}
adopt(ARGV[2])
if redis.call('HEXISTS', ck(ARGV[2], ':sending'), ARGV[3]) == 0 then return 0 end
redis.call('HSET', ck(ARGV[2], ':sending'), ARGV[3], 'handed')
return 1
`;

/** ARGV: base, id, recipient, state, messageId, reason, nowIso, ttl, nowMs, minSendGapMs, sentAt, gapMs ('' without). */
const RECORD = `${COMMON}
local id, r = ARGV[2], ARGV[3]
adopt(id)
if ARGV[11] ~= '' then
  local now, sentAt = tonumber(ARGV[9]), tonumber(ARGV[11])
  setPaceAtLeast(base .. 'pace', sentAt + tonumber(ARGV[10]), now)
  local meta, nextAt = ck(id, ''), sentAt + tonumber(ARGV[12])
  if redis.call('EXISTS', meta) == 1 and nextAt > tonumber(redis.call('HGET', meta, 'nextAt') or '0') then
    redis.call('HSET', meta, 'nextAt', tostring(nextAt))
  end
end
if redis.call('HDEL', ck(id, ':sending'), r) == 0 then return 0 end
local messageId, reason = ARGV[5], ARGV[6]
if messageId == '' then messageId = nil end
if reason == '' then reason = nil end
redis.call('HSET', ck(id, ':states'), r, status(ARGV[4], messageId, reason, ARGV[7]))
count(id, 'sending', ARGV[4], 1)
touch(id, ARGV[8])
return 1
`;

/** ARGV: base, id, recipient, nowIso, ttl. */
const RELEASE = `${COMMON}
local id, r = ARGV[2], ARGV[3]
adopt(id)
if redis.call('HDEL', ck(id, ':sending'), r) == 0 then return 'gone' end
if redis.call('HGET', ck(id, ''), 'state') == 'cancelled' then
  redis.call('HSET', ck(id, ':states'), r, status('skipped', nil, 'campaign cancelled', ARGV[4]))
  count(id, 'sending', 'skipped', 1)
  touch(id, ARGV[5])
  return 'skipped'
end
redis.call('LPUSH', ck(id, ':pending'), r)
redis.call('HSET', ck(id, ':states'), r, status('queued', nil, nil, ARGV[4]))
count(id, 'sending', 'queued', 1)
touch(id, ARGV[5])
return 'queued'
`;

/** ARGV: base, id, action, nowIso, ttl. Returns the state and, for a cancel, the receivers it skipped. */
const CONTROL = `${COMMON}
local id, action, at, ttl = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
adopt(id)
local meta = ck(id, '')
local state = redis.call('HGET', meta, 'state')
if not state then return {'missing', {}} end
local skipped = {}
if action == 'pause' and state == 'running' then state = 'paused'
elseif action == 'resume' and state == 'paused' then state = 'running'
elseif action == 'cancel' and (state == 'running' or state == 'paused') then
  state = 'cancelled'
  for _, r in ipairs(redis.call('LRANGE', ck(id, ':pending'), 0, -1)) do
    redis.call('HSET', ck(id, ':states'), r, status('skipped', nil, 'campaign cancelled', at))
    skipped[#skipped + 1] = redis.call('HGET', ck(id, ':receivers'), r)
  end
  redis.call('DEL', ck(id, ':pending'))
  count(id, 'queued', 'skipped', #skipped)
end
redis.call('HSET', meta, 'state', state)
touch(id, ttl)
return {state, skipped}
`;

/** ARGV: base, nowMs, minSendGapMs, maxWaitMs. */
const SEND_SLOT = `${COMMON}
local now = tonumber(ARGV[2])
local slot = math.max(now, tonumber(redis.call('GET', base .. 'pace') or '0'))
if slot - now > tonumber(ARGV[4]) then return {0, tostring(slot - now)} end
setPace(base .. 'pace', slot + tonumber(ARGV[3]), now)
return {1, tostring(slot)}
`;

/** ARGV: base, id. For reads outside the scripts: a campaign kept under its pre-issue-21 keys is renamed first. */
const ADOPT = `${COMMON}
adopt(ARGV[2])
return 1
`;

const SCRIPTS = { ENQUEUE, CLAIM, HAND_OFF, RECORD, RELEASE, CONTROL, SEND_SLOT, ADOPT };
type Script = keyof typeof SCRIPTS;
// The scripts answer Redis replies of each script's own shape, which each caller reads (as ioredis types them: any).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ScriptCommands = Redis & Record<`campaign${Script}`, (...args: Array<string | number>) => Promise<any>>;

/** The campaign store in Redis: each step one Lua script (atomic; a lost connection makes it 503 STORE_UNAVAILABLE). */
export class RedisCampaignStore implements CampaignStore {
	private readonly redis: ScriptCommands;

	constructor(
		redis: Redis,
		private readonly base: string,
		private readonly options: CampaignStoreOptions,
	) {
		for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(`campaign${name}`, { numberOfKeys: 0, lua });
		this.redis = redis as ScriptCommands;
	}

	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see ScriptCommands
	private run(script: Script, ...args: Array<string | number>): Promise<any> {
		return guarded(() => this.redis[`campaign${script}`](this.base, ...args));
	}

	private key(id: string, part: CampaignPart = ''): string {
		return campaignKey(this.base, id, part);
	}

	/** Before a read outside the scripts: the campaign's keys under their current names (see LUA_CAMPAIGN_KEYS). */
	private async adopt(id: string): Promise<void> {
		if (keyIdChanged(id)) await this.run('ADOPT', id);
	}

	private get ttl(): number {
		return Math.ceil(this.options.retentionSeconds);
	}

	async enqueue(settings: CampaignSettings, receivers: QueuedReceiver[], now: Date): Promise<EnqueueResult> {
		const { minGapMs, maxGapMs } = campaignGaps(settings, this.options.delayUnitMs);
		const pairs = receivers.flatMap((receiver) => [receiver.recipient, JSON.stringify(receiver)]);
		const [answer, queued, alreadyQueued, cancelled] = await this.run(
			'ENQUEUE',
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
			'CLAIM',
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
		if (!(await this.run('HAND_OFF', campaignId, recipient))) throw new Error(`${recipient} of campaign ${campaignId} is not claimed`);
	}

	async record(campaignId: string, recipient: string, outcome: Outcome, now: Date, paceFrom?: PaceFrom): Promise<boolean> {
		const messageId = outcome.state === 'sent' ? outcome.messageId : '';
		const reason = outcome.state === 'sent' ? '' : outcome.reason;
		const pace = paceFrom ? [paceFrom.sentAt, paceFrom.gapMs] : ['', ''];
		const args = [
			campaignId,
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
		return (await this.run('RECORD', ...args)) === 1;
	}

	release(campaignId: string, recipient: string, now: Date): Promise<'queued' | 'skipped' | 'gone'> {
		return this.run('RELEASE', campaignId, recipient, now.toISOString(), this.ttl);
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
		const [state, skipped] = (await this.run('CONTROL', campaignId, action, now.toISOString(), this.ttl)) as [
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
		const [granted, value] = await this.run('SEND_SLOT', now.getTime(), this.options.minSendGapMs, maxWaitMs);
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
		return guarded(() => this.redis.lrange(`${this.base}campaigns`, 0, -1));
	}
}
