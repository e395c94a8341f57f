-- KEYS[1] message record, KEYS[2] the recipient's latest-message key (used only when creating); ARGV[1] state,
-- ARGV[2] ISO time, ARGV[3] error JSON or '', ARGV[4] recipient to create an untracked message for ('' = only update
-- a tracked one), ARGV[5] record TTL s, ARGV[6] message ID, ARGV[7] latest TTL s. Returns 1 when the record changed.
local rank = {sent = 1, delivered = 2, read = 3, failed = 0}
local raw = redis.call('GET', KEYS[1])
local record
if raw then record = cjson.decode(raw)
elseif ARGV[4] ~= '' then
  record = {state = 'sent', recipient = ARGV[4]}
  redis.call('SET', KEYS[2], ARGV[6], 'EX', tonumber(ARGV[7]))
else return 0 end
local state, at = ARGV[1], ARGV[2]
local changed = not raw
if state == 'replied' then
  if not record.repliedAt then record.repliedAt = at; changed = true end
elseif state == 'failed' then
  if record.state == 'sent' then
    record.state = 'failed'; record.failedAt = at; changed = true
    if ARGV[3] ~= '' then record.error = cjson.decode(ARGV[3]) end
  end
elseif record.state ~= 'failed' and rank[state] > rank[record.state] then
  record.state = state; record[state .. 'At'] = at; changed = true
end
if not changed then return 0 end
redis.call('SET', KEYS[1], cjson.encode(record), 'EX', tonumber(ARGV[5]))
return 1
