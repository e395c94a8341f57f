-- KEYS[1] question hash, KEYS[2] the reply's answer key; ARGV[1] answer JSON, ARGV[2] question ID, ARGV[3] answer
-- key TTL s.
local prior = redis.call('GET', KEYS[2])
if prior then return {'again', prior} end
if redis.call('HGET', KEYS[1], 'status') ~= 'open' then return {'taken'} end
redis.call('HSET', KEYS[1], 'status', 'answered', 'answer', ARGV[1])
redis.call('SET', KEYS[2], ARGV[2], 'EX', tonumber(ARGV[3]))
return {'claimed'}
