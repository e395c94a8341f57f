-- KEYS[1] the phone's key, KEYS[2] the BSUID's key, KEYS[3] the key prefix of the scope; ARGV[1] pair JSON, ARGV[2]
-- phone, ARGV[3] BSUID, ARGV[4] TTL s. Drops the other key of an older pair of either, writes both. Returns 1 when
-- new.
local function dropIfPaired(key, raw)
  if redis.call('GET', key) == raw then redis.call('DEL', key) end
end
local byPhone = redis.call('GET', KEYS[1])
local byUser = redis.call('GET', KEYS[2])
local known = byPhone == ARGV[1] and byUser == ARGV[1]
if byPhone and byPhone ~= ARGV[1] then
  local old = cjson.decode(byPhone)
  if old.userId ~= ARGV[3] then dropIfPaired(KEYS[3] .. old.userId, byPhone) end
end
if byUser and byUser ~= ARGV[1] then
  local old = cjson.decode(byUser)
  if old.phone ~= ARGV[2] then dropIfPaired(KEYS[3] .. old.phone, byUser) end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[4]))
redis.call('SET', KEYS[2], ARGV[1], 'EX', tonumber(ARGV[4]))
if known then return 0 end
return 1
