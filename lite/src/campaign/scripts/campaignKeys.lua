-- The keys a campaign script may touch, all given in KEYS (a Redis Cluster routes the call by them; they share the
-- suit's hash tag, so they are in one slot): KEYS[1] the suit's campaign list, KEYS[2] the suit's pace key, then for
-- each campaign ARGV[1] (a JSON list of campaign IDs) names, in that order, its keys (the parts in PARTS order, named
-- as keys.ts names them) and the same parts under its raw ID (where gateways before issue 21 kept it).
-- `adopt(id)`: a campaign whose ID is not plain and which a gateway before issue 21 stored under its raw ID is renamed
-- to its keys the first time a script touches it, so a restart after the upgrade neither loses nor resends campaigns
-- in flight. Only a hash holding `settings` is taken for a campaign's old main key (never another campaign's counts
-- or receivers hash that the raw ID happens to name).
local PARTS = {'', ':pending', ':order', ':receivers', ':states', ':counts', ':sending'}
local campaignsKey, paceKey = KEYS[1], KEYS[2]
local keysOf = {}
for i, id in ipairs(cjson.decode(ARGV[1])) do
  local first = 2 + (i - 1) * 2 * #PARTS
  local current, raw = {}, {}
  for j, part in ipairs(PARTS) do
    current[part] = KEYS[first + j]
    raw[part] = KEYS[first + #PARTS + j]
  end
  keysOf[id] = {current = current, raw = raw}
end
local function ck(id, part) return keysOf[id].current[part] end
local function adopt(id)
  local old, new = keysOf[id].raw, keysOf[id].current
  if old[''] == new[''] or redis.call('EXISTS', new['']) == 1 then return end
  if redis.call('TYPE', old['']).ok ~= 'hash' or redis.call('HEXISTS', old[''], 'settings') == 0 then return end
  for _, part in ipairs(PARTS) do
    if redis.call('EXISTS', old[part]) == 1 then redis.call('RENAME', old[part], new[part]) end
  end
end
