-- ARGV: campaigns (see campaignKeys.lua), nowMs, minSendGapMs, maxWaitMs.
local now = tonumber(ARGV[2])
local slot = math.max(now, tonumber(redis.call('GET', paceKey) or '0'))
if slot - now > tonumber(ARGV[4]) then return {0, tostring(slot - now)} end
setPace(paceKey, slot + tonumber(ARGV[3]), now)
return {1, tostring(slot)}
