-- KEYS[1] list hash, KEYS[2] order set; ARGV phones. Returns each removed entry or false.
local removed = {}
for i, phone in ipairs(ARGV) do
  removed[i] = redis.call('HGET', KEYS[1], phone) or false
  redis.call('HDEL', KEYS[1], phone)
  redis.call('ZREM', KEYS[2], phone)
end
return removed
