-- KEYS[1] question hash. Answered → resumed; returns the question and answer JSON, or nothing.
if redis.call('HGET', KEYS[1], 'status') ~= 'answered' then return false end
redis.call('HSET', KEYS[1], 'status', 'resumed')
return redis.call('HMGET', KEYS[1], 'question', 'answer', 'messageId')
