-- ARGV: campaigns (see campaignKeys.lua), id, settings, name, nowIso, ttl, maxActive, minGapMs, maxGapMs, then recipient, receiver JSON pairs.
local id, at, ttl = ARGV[2], ARGV[5], ARGV[6]
adopt(id)
local meta = ck(id, '')
local state = redis.call('HGET', meta, 'state')
if state then
  if redis.call('HGET', meta, 'settings') ~= ARGV[3] then return {'differ'} end
else
  if redis.call('LLEN', campaignsKey) >= tonumber(ARGV[7]) then return {'full'} end
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
    redis.call('RPUSH', campaignsKey, id)
  end
end
touch(id, ttl)
return {'ok', queued, already, refused}
