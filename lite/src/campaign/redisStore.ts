import type Redis from 'ioredis';
import { campaignSettingsDiffer, tooManyCampaigns } from '../http/errors';
import { guarded } from '../store/redis';
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
 * Keys (base = `<prefix>lite:<suit>:`; one Redis, not a cluster: scripts build campaign keys from the base):
 * - `campaigns`: IDs of campaigns not yet reported finished, oldest first
 * - `campaign:<id>`: hash: settings, name, state, createdAt, endedAt, minGapMs, maxGapMs, active
 * - `campaign:<id>:pending`: recipients still queued, in order;  `:order`: every recipient, in order (paging)
 * - `campaign:<id>:receivers`: recipient → receiver JSON;  `:states`: recipient → ReceiverStatus JSON
 * - `campaign:<id>:counts`: state → count;  `:sending`: recipient → "claimed" | "handed"
 * - `pace`: the suit's next send of any kind (epoch ms);  `campaignPace`: the next campaign message
 * Every script that changes a campaign gives all its keys (and `campaigns`) the retention TTL again, so an ended
 * campaign's keys expire the retention time after its end. Pace keys expire a minute after their time.
 */
const COMMON = `
local base = ARGV[1]
local function ck(id, part) return base .. 'campaign:' .. id .. part end
local PARTS = {'', ':pending', ':order', ':receivers', ':states', ':counts', ':sending'}
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

/** ARGV: base, nowMs, nowIso, random, minSendGapMs, ttl. */
const CLAIM = `${COMMON}
local now, at, ttl = tonumber(ARGV[2]), ARGV[3], ARGV[6]
local chosen
for _, id in ipairs(redis.call('LRANGE', base .. 'campaigns', 0, -1)) do
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
  elseif state == 'running' and left > 0 and not chosen then
    chosen = id
  end
end
if not chosen then return {'idle'} end
local due = math.max(tonumber(redis.call('GET', base .. 'pace') or '0'), tonumber(redis.call('GET', base .. 'campaignPace') or '0'))
if due > now then return {'wait', tostring(due - now)} end
local meta = ck(chosen, '')
local r = redis.call('LPOP', ck(chosen, ':pending'))
redis.call('HSET', ck(chosen, ':sending'), r, 'claimed')
redis.call('HSET', ck(chosen, ':states'), r, status('sending', nil, nil, at))
count(chosen, 'queued', 'sending', 1)
local minGap, maxGap = tonumber(redis.call('HGET', meta, 'minGapMs')), tonumber(redis.call('HGET', meta, 'maxGapMs'))
local gap = minGap + math.floor(tonumber(ARGV[4]) * (maxGap - minGap))
setPace(base .. 'pace', now + tonumber(ARGV[5]), now)
setPace(base .. 'campaignPace', now + gap, now)
touch(chosen, ttl)
return {'claimed', chosen, redis.call('HGET', ck(chosen, ':receivers'), r), tostring(gap)}
`;

/** ARGV: base, id, recipient. */
const HAND_OFF = `${COMMON}
if redis.call('HEXISTS', ck(ARGV[2], ':sending'), ARGV[3]) == 0 then return 0 end
redis.call('HSET', ck(ARGV[2], ':sending'), ARGV[3], 'handed')
return 1
`;

/** ARGV: base, id, recipient, state, messageId, reason, nowIso, ttl, nowMs, minSendGapMs, sentAt, gapMs ('' without). */
const RECORD = `${COMMON}
local id, r = ARGV[2], ARGV[3]
if ARGV[11] ~= '' then
  local now, sentAt = tonumber(ARGV[9]), tonumber(ARGV[11])
  setPaceAtLeast(base .. 'pace', sentAt + tonumber(ARGV[10]), now)
  setPaceAtLeast(base .. 'campaignPace', sentAt + tonumber(ARGV[12]), now)
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

const SCRIPTS = { ENQUEUE, CLAIM, HAND_OFF, RECORD, RELEASE, CONTROL, SEND_SLOT };
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

	private key(id: string, part = ''): string {
		return `${this.base}campaign:${id}${part}`;
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
		const [kind, a, b, gap] = await this.run('CLAIM', now.getTime(), now.toISOString(), random, this.options.minSendGapMs, this.ttl);
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
		await guarded(() => this.redis.multi().lrem(`${this.base}campaigns`, 0, campaignId).hset(this.key(campaignId), 'active', '0').exec());
	}

	async settings(campaignId: string): Promise<CampaignSettings | null> {
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

	async nextCampaignSendAt(): Promise<number> {
		const [pace, campaignPace] = await guarded(() => this.redis.mget(`${this.base}pace`, `${this.base}campaignPace`));
		return Math.max(Number(pace ?? 0), Number(campaignPace ?? 0));
	}

	async depth(): Promise<number> {
		let depth = 0;
		for (const id of await this.activeIds()) depth += await guarded(() => this.redis.llen(this.key(id, ':pending')));
		return depth;
	}

	private activeIds(): Promise<string[]> {
		return guarded(() => this.redis.lrange(`${this.base}campaigns`, 0, -1));
	}
}
