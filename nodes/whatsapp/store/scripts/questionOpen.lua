-- KEYS[1] question hash, KEYS[2..] its contact indexes; ARGV[1] question JSON, ARGV[2] asked at ms, ARGV[3] TTL s,
-- ARGV[4] max per contact.
redis.call('HSET', KEYS[1], 'question', ARGV[1], 'status', 'open')
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
local id = cjson.decode(ARGV[1]).id
local now = tonumber(ARGV[2])
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], now, id)
  redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -tonumber(ARGV[4]) - 1)
  if redis.call('TTL', KEYS[i]) < tonumber(ARGV[3]) then redis.call('EXPIRE', KEYS[i], tonumber(ARGV[3])) end
end
return 1
