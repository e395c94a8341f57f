-- What every campaign script shares (after campaignKeys.lua): the keys' TTL, a receiver's status JSON, the counts and
-- the pace keys. The keys are listed in redisStore.ts.
local function touch(id, ttl)
  for _, part in ipairs(PARTS) do redis.call('EXPIRE', ck(id, part), ttl) end
  redis.call('EXPIRE', campaignsKey, ttl)
end
local function status(state, messageId, reason, at)
  return cjson.encode({state = state, messageId = messageId, reason = reason, updatedAt = at})
end
local function count(id, from, to, n)
  -- Lua writes -0 for a move of nobody, which HINCRBY refuses as no integer.
  if n == 0 then return end
  redis.call('HINCRBY', ck(id, ':counts'), from, -n)
  redis.call('HINCRBY', ck(id, ':counts'), to, n)
end
local function setPace(key, at, now)
  redis.call('SET', key, at, 'PX', math.max(at - now, 0) + 60000)
end
local function setPaceAtLeast(key, at, now)
  if at > tonumber(redis.call('GET', key) or '0') then setPace(key, at, now) end
end
