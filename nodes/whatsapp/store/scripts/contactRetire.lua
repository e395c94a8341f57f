-- KEYS[1] the retired BSUID's key, KEYS[2] the key of the phone its stored pair names (as the caller read it); ARGV[1]
-- that pair. Returns -1, changing nothing, when KEYS[1] changed since (the caller reads again); else drops it, and its
-- phone's key while that holds the same pair.
local raw = redis.call('GET', KEYS[1])
if raw ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[1])
if redis.call('GET', KEYS[2]) == raw then redis.call('DEL', KEYS[2]) end
return 1
