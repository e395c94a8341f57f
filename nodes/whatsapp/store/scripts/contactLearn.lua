-- KEYS[1] the phone's key, KEYS[2] the BSUID's key, KEYS[3] the key of the BSUID the phone's stored pair names,
-- KEYS[4] the key of the phone the BSUID's stored pair names (as the caller read the pairs); ARGV[1] pair JSON,
-- ARGV[2] phone, ARGV[3] BSUID, ARGV[4] TTL s, ARGV[5] and ARGV[6] the pairs KEYS[1] and KEYS[2] held when read ('' for
-- none). Returns -1, changing nothing, when either changed since (the caller reads again); else drops the other key of
-- an older pair of either, writes both, and returns 1 when new.
local function dropIfPaired(key, raw)
  if redis.call('GET', key) == raw then redis.call('DEL', key) end
end
local byPhone = redis.call('GET', KEYS[1])
local byUser = redis.call('GET', KEYS[2])
if (byPhone or '') ~= ARGV[5] or (byUser or '') ~= ARGV[6] then return -1 end
local known = byPhone == ARGV[1] and byUser == ARGV[1]
if byPhone and byPhone ~= ARGV[1] and cjson.decode(byPhone).userId ~= ARGV[3] then dropIfPaired(KEYS[3], byPhone) end
if byUser and byUser ~= ARGV[1] and cjson.decode(byUser).phone ~= ARGV[2] then dropIfPaired(KEYS[4], byUser) end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[4]))
redis.call('SET', KEYS[2], ARGV[1], 'EX', tonumber(ARGV[4]))
if known then return 0 end
return 1
