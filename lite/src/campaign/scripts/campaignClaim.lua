-- ARGV: campaigns (the listed ones, see campaignKeys.lua), nowMs, nowIso, random, minSendGapMs, ttl, maxGapMs. Picks
-- the running campaign due soonest (the oldest of equals); its own `nextAt` and the suit's `pace` must both be due. A gap read back is kept within 0..maxGapMs,
-- so nothing a campaign stored can make the claim fail.
local now, at, ttl, maxGap = tonumber(ARGV[2]), ARGV[3], ARGV[6], tonumber(ARGV[7])
local function gapField(meta, field)
  local gap = tonumber(redis.call('HGET', meta, field) or '0') or maxGap
  if gap ~= gap or gap > maxGap then return maxGap end
  return math.max(gap, 0)
end
local listed = {}
for _, id in ipairs(redis.call('LRANGE', campaignsKey, 0, -1)) do
  -- A campaign listed after the caller read the list is not among KEYS: the next claim sees it.
  if keysOf[id] then listed[#listed + 1] = id end
end
local chosen, chosenAt
for _, id in ipairs(listed) do
  adopt(id)
  local meta = ck(id, '')
  local state = redis.call('HGET', meta, 'state')
  local left = redis.call('LLEN', ck(id, ':pending'))
  if not state then
    redis.call('LREM', campaignsKey, 0, id)
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
local due = math.max(tonumber(redis.call('GET', paceKey) or '0'), chosenAt)
if due > now then return {'wait', tostring(due - now)} end
local meta = ck(chosen, '')
local r = redis.call('LPOP', ck(chosen, ':pending'))
redis.call('HSET', ck(chosen, ':sending'), r, 'claimed')
redis.call('HSET', ck(chosen, ':states'), r, status('sending', nil, nil, at))
count(chosen, 'queued', 'sending', 1)
local minGap = gapField(meta, 'minGapMs')
local gap = minGap + math.floor(tonumber(ARGV[4]) * (math.max(gapField(meta, 'maxGapMs'), minGap) - minGap))
setPace(paceKey, now + tonumber(ARGV[5]), now)
redis.call('HSET', meta, 'nextAt', tostring(now + gap))
touch(chosen, ttl)
return {'claimed', chosen, redis.call('HGET', ck(chosen, ':receivers'), r), tostring(gap)}
