-- KEYS[1] sender pace key; ARGV[1] interval ms, ARGV[2] slots taken. Returns the first slot and Redis's "now": the
-- Redis clock, so every worker agrees on it.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextFree)
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[1]) * tonumber(ARGV[2])), 'PX', 3600000)
return {tostring(slot), tostring(now)}
