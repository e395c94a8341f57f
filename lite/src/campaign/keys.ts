/**
 * The one builder of a campaign's Redis key names, in TypeScript (for reads outside the scripts) and in Lua (for the
 * scripts, which build keys from IDs they read out of Redis); a test checks both build the same names.
 *
 * `<base>campaign:<key id><part>`, where the key id is the campaign ID itself when it is only letters, digits, `_`,
 * `.` and `-` (the format gateways before issue 21 used, so their data is read as it is), and otherwise `%` and the
 * ID's UTF-8 bytes in hex. Neither form contains `:`, and parts start with `:`, so the text between `campaign:` and
 * the next `:` names exactly one campaign: no ID (`victim:counts`, `victim:order`) reaches another campaign's keys.
 */
export const CAMPAIGN_PARTS = ['', ':pending', ':order', ':receivers', ':states', ':counts', ':sending'] as const;
export type CampaignPart = (typeof CAMPAIGN_PARTS)[number];

const PLAIN_ID = /^[A-Za-z0-9_.-]+$/;

export function campaignKeyId(id: string): string {
	return PLAIN_ID.test(id) ? id : `%${Buffer.from(id, 'utf8').toString('hex')}`;
}

/** True when gateways before issue 21 kept this campaign under another name (its raw ID), which `adopt` renames. */
export const keyIdChanged = (id: string): boolean => !PLAIN_ID.test(id);

export const campaignKey = (base: string, id: string, part: CampaignPart = ''): string => `${base}campaign:${campaignKeyId(id)}${part}`;

/**
 * The same builder in Lua (`base` is the script's ARGV[1]), and `adopt(id)`: a campaign whose ID is not plain and which
 * a gateway before issue 21 stored under its raw ID is renamed to its new keys the first time a script touches it, so
 * a restart after the upgrade neither loses nor resends campaigns in flight. Only a hash holding `settings` is taken
 * for a campaign's old main key (never another campaign's counts or receivers hash that the raw ID happens to name).
 */
export const LUA_CAMPAIGN_KEYS = `
local PARTS = {${CAMPAIGN_PARTS.map((part) => `'${part}'`).join(', ')}}
local function keyId(id)
  if string.find(id, '^[A-Za-z0-9_%.%-]+$') then return id end
  return '%' .. (string.gsub(id, '.', function(c) return string.format('%02x', string.byte(c)) end))
end
local function ck(id, part) return base .. 'campaign:' .. keyId(id) .. part end
local function adopt(id)
  local old, new = base .. 'campaign:' .. id, ck(id, '')
  if old == new or redis.call('EXISTS', new) == 1 then return end
  if redis.call('TYPE', old).ok ~= 'hash' or redis.call('HEXISTS', old, 'settings') == 0 then return end
  for _, part in ipairs(PARTS) do
    if redis.call('EXISTS', old .. part) == 1 then redis.call('RENAME', old .. part, ck(id, part)) end
  end
end
`;
