-- KEYS[1] list hash, KEYS[2] order set; ARGV phone, entry JSON, epoch ms triples. Returns each existing entry or
-- false.
local existing = {}
for i = 1, #ARGV, 3 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if current then existing[#existing + 1] = current
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    redis.call('ZADD', KEYS[2], tonumber(ARGV[i + 2]), ARGV[i])
    existing[#existing + 1] = false
  end
end
return existing
