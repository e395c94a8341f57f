-- KEYS the delivery's keys; ARGV[1] token. Only this delivery's pending claims are removed.
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 1
