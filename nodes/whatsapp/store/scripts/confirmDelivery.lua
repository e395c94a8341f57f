-- KEYS the delivery's keys; ARGV[1] token, ARGV[i + 1] the TTL of KEYS[i]. A lapsed pending claim is settled too.
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current == ARGV[1] or not current then redis.call('SET', key, 'done', 'EX', tonumber(ARGV[i + 1])) end
end
return 1
