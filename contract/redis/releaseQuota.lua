-- KEYS[1] quota key; ARGV[1] count. Gives back a reservation whose message was certainly not sent.
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used <= 0 then return 0 end
return redis.call('DECRBY', KEYS[1], math.min(used, tonumber(ARGV[1])))
