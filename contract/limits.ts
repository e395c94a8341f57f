/**
 * Defaults and limits the node panels, the nodes and the Lite gateway must agree on. The gateway's are the defaults
 * of its settings (lite/README.md, docs/lite-api.md "Limits"); the nodes read them to chunk, check and fill in.
 */

/** WhatsApp's longest message text (docs/cloud-api.md); the gateway's MAX_TEXT_LENGTH default. */
export const MAX_TEXT_LENGTH = 4096;

/** Receivers per `POST /{suit_id}/send` (MAX_RECEIVERS_PER_REQUEST's default): larger segments go in chunks. */
export const MAX_RECEIVERS_PER_REQUEST = 1000;

/** A campaign's shortest gap between two messages when none is given (MIN_DELAY_MINUTES; the Lite spec's 3). */
export const DEFAULT_MIN_DELAY_MINUTES = 3;

/** A campaign's longest random gap when none is given: twice its shortest (MAX_DELAY_MINUTES; docs/lite-api.md's 3 to 6). */
export function defaultMaxDelayMinutes(minDelayMinutes: number): number {
	return 2 * minDelayMinutes;
}

export const DEFAULT_MAX_DELAY_MINUTES = defaultMaxDelayMinutes(DEFAULT_MIN_DELAY_MINUTES);

/** The longest gap a campaign request may ask for (one day): past it the gateway answers 400 INVALID_REQUEST. */
export const MAX_DELAY_MINUTES = 1440;

/** Recipients per page of a campaign report (`GET /{suit_id}/campaigns/{campaignId}?limit=`): the most, and the default. */
export const MAX_REPORT_PAGE = 500;
export const DEFAULT_REPORT_PAGE = 100;
