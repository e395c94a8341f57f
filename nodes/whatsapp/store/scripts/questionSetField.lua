-- KEYS[1] question hash; ARGV[1] field, ARGV[2] value. Only on a live question (an expired one stays gone, with no
-- TTL-less leftover).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
