-- ARGV: campaigns (see campaignKeys.lua), id, recipient, state, messageId, reason, nowIso, ttl, nowMs, minSendGapMs, sentAt, gapMs ('' without).
local id, r = ARGV[2], ARGV[3]
adopt(id)
if ARGV[11] ~= '' then
  local now, sentAt = tonumber(ARGV[9]), tonumber(ARGV[11])
  setPaceAtLeast(paceKey, sentAt + tonumber(ARGV[10]), now)
  local meta, nextAt = ck(id, ''), sentAt + tonumber(ARGV[12])
  if redis.call('EXISTS', meta) == 1 and nextAt > tonumber(redis.call('HGET', meta, 'nextAt') or '0') then
    redis.call('HSET', meta, 'nextAt', tostring(nextAt))
  end
end
if redis.call('HDEL', ck(id, ':sending'), r) == 0 then return 0 end
local messageId, reason = ARGV[5], ARGV[6]
if messageId == '' then messageId = nil end
if reason == '' then reason = nil end
redis.call('HSET', ck(id, ':states'), r, status(ARGV[4], messageId, reason, ARGV[7]))
count(id, 'sending', ARGV[4], 1)
touch(id, ARGV[8])
return 1
