-- ARGV: campaigns (see campaignKeys.lua), id, recipient, nowIso, ttl.
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
