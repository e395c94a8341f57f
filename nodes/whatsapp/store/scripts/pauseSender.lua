-- KEYS[1] sender pace key; ARGV[1] pause ms.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
redis.call('SET', KEYS[1], tostring(math.max(nextFree, now + tonumber(ARGV[1]))), 'PX', 3600000)
return 1
