-- KEYS[1] ledger hash; ARGV[1] ISO time, ARGV[2] ledger TTL s, ARGV[3] claim ms, ARGV[4..] recipients. Per
-- recipient, in order: the blocking entry, or false when claimed now. A failed entry, or a claim that lapsed before
-- any request left, may be claimed again.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local claim = cjson.encode({status = 'claimed', at = ARGV[1], ['until'] = now + tonumber(ARGV[3])})
local blocking = {}
for i = 4, #ARGV do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  local blocks = false
  if current then
    local entry = cjson.decode(current)
    local lapsed = entry.status == 'claimed' and (tonumber(entry['until']) or 0) <= now
    if entry.status ~= 'failed' and not lapsed then blocks = current end
  end
  if not blocks then redis.call('HSET', KEYS[1], ARGV[i], claim) end
  blocking[i - 3] = blocks
end
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2])) end
return blocking
