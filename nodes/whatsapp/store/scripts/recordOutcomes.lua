-- KEYS[1] ledger hash, then for each entry that starts a message record (indexOnSent) its message key and the
-- recipient's latest-message key; ARGV[1] ledger TTL s, ARGV[2] record TTL s, ARGV[3] latest TTL s, then per entry:
-- recipient, entry JSON, record JSON ('' for none), message ID.
local key = 2
for i = 4, #ARGV, 4 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  if ARGV[i + 2] ~= '' then
    redis.call('SET', KEYS[key], ARGV[i + 2], 'EX', tonumber(ARGV[2]))
    redis.call('SET', KEYS[key + 1], ARGV[i + 3], 'EX', tonumber(ARGV[3]))
    key = key + 2
  end
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
