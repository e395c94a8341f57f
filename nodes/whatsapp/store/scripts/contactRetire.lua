-- KEYS[1] the retired BSUID's key, KEYS[2] the scope's key prefix. Drops it and its phone's key while that holds the
-- same pair.
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
redis.call('DEL', KEYS[1])
local phoneKey = KEYS[2] .. cjson.decode(raw).phone
if redis.call('GET', phoneKey) == raw then redis.call('DEL', phoneKey) end
return 1
