-- KEYS[1] quota key; ARGV[1] limit, ARGV[2] TTL seconds, ARGV[3] count to reserve. Returns {1, used} when reserved,
-- {0, used} when it would pass the limit (nothing is reserved then).
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local count = tonumber(ARGV[3])
if used + count > tonumber(ARGV[1]) then
  return {0, used}
end
used = redis.call('INCRBY', KEYS[1], count)
if redis.call('TTL', KEYS[1]) < 0 then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return {1, used}
