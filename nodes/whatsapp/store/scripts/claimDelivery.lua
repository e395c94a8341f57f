-- KEYS the delivery's keys; ARGV[1] token, ARGV[2] pending TTL. A settled key holds "done", a pending one the token
-- of the delivery handing it over. Returns nil when another delivery holds a key pending.
local states = {}
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current == 'done' then states[i] = 'seen'
  elseif current then return false
  else states[i] = 'new' end
end
for i, key in ipairs(KEYS) do
  if states[i] == 'new' then redis.call('SET', key, ARGV[1], 'EX', tonumber(ARGV[2])) end
end
return states
