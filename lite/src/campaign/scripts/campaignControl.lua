-- ARGV: campaigns (see campaignKeys.lua), id, action, nowIso, ttl. Returns the state and, for a cancel, the receivers it skipped.
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
