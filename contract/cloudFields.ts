// Which field of a Cloud API webhook carries which kind of event (docs/cloud-webhooks.md). Shared by the trigger's
// normaliser and the gateway's relay, which filters Meta's deliveries by kind before they reach a trigger.

/** `field: "messages"` carries messages, statuses and errors. */
export const MESSAGES_FIELD = 'messages';

/** A person's new phone number gave them a new BSUID (docs/cloud-api.md): one `identity` event per update. */
export const USER_ID_UPDATE_FIELD = 'user_id_update';

/** Template review, quality and category changes: one `template` event each. */
export const TEMPLATE_FIELDS = {
	message_template_status_update: 'status',
	message_template_quality_update: 'quality',
	template_category_update: 'category',
} as const;

/** Account and number quality changes: one `account` event each. */
export const ACCOUNT_FIELDS = {
	account_update: 'account',
	phone_number_quality_update: 'quality',
} as const;

export const isTemplateField = (field: string): field is keyof typeof TEMPLATE_FIELDS => field in TEMPLATE_FIELDS;
export const isAccountField = (field: string): field is keyof typeof ACCOUNT_FIELDS => field in ACCOUNT_FIELDS;

/** A template paused or disabled by Meta: the trigger records it whatever it starts on, and segments stop sending it. */
export const TEMPLATE_STATUS_FIELD = 'message_template_status_update';

/**
 * The fields a Meta app is subscribed to for a trigger that starts on `events` (Register Automatically): always
 * `messages` (statuses update campaign reports), `user_id_update` (the trigger learns a changed number's BSUID) and
 * template statuses (a paused template stops segments), whatever it starts on; the other template fields and the
 * account fields when those events are chosen.
 */
export function subscribedFieldsFor(events: readonly string[]): string[] {
	return [
		MESSAGES_FIELD,
		USER_ID_UPDATE_FIELD,
		TEMPLATE_STATUS_FIELD,
		...(events.includes('template') ? Object.keys(TEMPLATE_FIELDS).filter((field) => field !== TEMPLATE_STATUS_FIELD) : []),
		...(events.includes('account') ? Object.keys(ACCOUNT_FIELDS) : []),
	];
}
