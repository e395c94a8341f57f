/**
 * The one builder of a campaign's Redis key names, in TypeScript (for reads outside the scripts) and in Lua
 * (scripts/campaignKeys.lua, for the scripts, which build keys from IDs they read out of Redis); a test checks both build the same names.
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
 * The base of a suit's campaign keys, `<prefix>lite:{<suit>}:`: the suit ID is the hash tag, so a suit's campaigns and
 * pace share one Redis Cluster slot (a claim looks at all of them in one script).
 */
export const campaignBase = (keyPrefix: string, suitId: string): string => `${keyPrefix}lite:{${suitId}}:`;

/** Where gateways before issue 27 kept a suit's campaigns (no hash tag); RedisCampaignStore takes them over. */
export const legacyCampaignBase = (keyPrefix: string, suitId: string): string => `${keyPrefix}lite:${suitId}:`;

/** The keys a campaign script may touch for these campaigns, in the order scripts/campaignKeys.lua reads them. */
export function campaignScriptKeys(base: string, ids: string[]): string[] {
	const keysOf = (id: string) => [
		...CAMPAIGN_PARTS.map((part) => campaignKey(base, id, part)),
		...CAMPAIGN_PARTS.map((part) => `${base}campaign:${id}${part}`),
	];
	return [`${base}campaigns`, `${base}pace`, ...ids.flatMap(keysOf)];
}
