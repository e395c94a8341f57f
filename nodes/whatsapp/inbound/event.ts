import type { Backend } from '../channel/types';

/**
 * One shape for everything a trigger emits, whichever backend it came from: one per message, status, error,
 * template or account update (Cloud), session change or campaign progress (Lite). Absent facts are left out
 * rather than set to null, except the keys only one backend knows (see withSharedKeys).
 */
export type InboundEventKind =
	| 'message'
	| 'status'
	| 'error'
	| 'template'
	| 'account'
	| 'identity'
	| 'session'
	| 'campaign'
	| 'campaignFinished';

/** Normalised message types; the trigger's type filter offers exactly these. */
export const INBOUND_MESSAGE_TYPES = [
	'text',
	'image',
	'video',
	'audio',
	'document',
	'sticker',
	'location',
	'contacts',
	'interactive',
	'reaction',
	'order',
	'system',
	'unsupported',
] as const;
export type InboundMessageType = (typeof INBOUND_MESSAGE_TYPES)[number];

export const INBOUND_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;

export interface InboundMedia {
	id?: string;
	mimeType?: string;
	caption?: string;
	filename?: string;
	sha256?: string;
	/** A voice note (Cloud `audio.voice`, Lite `ptt`). */
	voice?: boolean;
	/** Lite only: the file, base64, when the container inlined it. Moved into binary data, never left in json. */
	data?: string;
}

export interface InboundError {
	code?: number | string;
	title?: string;
	message?: string;
	details?: string;
}

/** A WhatsApp Flow's answers: the token it was sent with, and the answers as a plain object. */
export interface InboundFlowReply {
	token?: string;
	/** Meta's name of the reply: "flow". */
	name?: string;
	answers: Record<string, unknown>;
	/** `response_json` as Meta sent it, when it was not a JSON object. */
	raw?: string;
}

/** Cloud: a message template's review status, quality rating or category changed (docs/cloud-webhooks.md). */
export interface InboundTemplateUpdate {
	/** Which change: `message_template_status_update`, `…_quality_update` or `template_category_update`. */
	update: 'status' | 'quality' | 'category';
	id?: string;
	name?: string;
	language?: string;
	/** The new review status: APPROVED, REJECTED, PAUSED, DISABLED, … */
	status?: string;
	/** Why (rejection reason, or the pause's title and description); Meta's "NONE" is left out. */
	reason?: string;
	quality?: string;
	previousQuality?: string;
	category?: string;
	previousCategory?: string;
	/** The category Meta will move the template to. */
	correctCategory?: string;
}

/** Cloud: the WhatsApp Business Account or a number's quality rating or messaging limit changed. */
export interface InboundAccountUpdate {
	/** `account_update` or `phone_number_quality_update`. */
	update: 'account' | 'quality';
	/** Meta's event: VERIFIED_ACCOUNT, ACCOUNT_VIOLATION, … or FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE, … */
	event?: string;
	phoneNumber?: string;
	/** The messaging limit tier now (TIER_250, TIER_1K, …, TIER_UNLIMITED) and before. */
	messagingLimit?: string;
	previousMessagingLimit?: string;
	/** A violation type or restriction, when Meta gives one. */
	reason?: string;
}

/** Cloud `user_id_update`: a person's BSUID changed because they changed their phone number (docs/cloud-api.md). */
export interface InboundIdentityUpdate {
	update: 'userId';
	/** The BSUID the person had, now retired. */
	previousUserId?: string;
	/** Their BSUID now (also the item's `userId`). */
	userId?: string;
}

/** Lite: one recipient of a campaign was settled, or the campaign finished (docs/lite-api.md, `campaign` event). */
export interface InboundCampaignProgress {
	id: string;
	userID?: string;
	reason?: string;
	/** At the end: how many recipients ended in each state. */
	counts?: Record<string, number>;
}

export interface InboundEvent {
	event: InboundEventKind;
	backend: Backend;
	/** Messages: their ID; statuses and campaign progress: the ID of the message the event is about. */
	messageId?: string;
	/** The sender's digits (in a group: the author's). */
	from?: string;
	/** Statuses and campaign progress: the recipient's digits or group ID. */
	to?: string;
	/**
	 * Messages and statuses: the person's business-scoped user ID (Cloud `user_id`, `recipient_user_id`), their parent
	 * BSUID and WhatsApp username; null where the backend has none (Lite, or a failed status sent to a phone).
	 */
	userId?: string | null;
	parentUserId?: string | null;
	username?: string | null;
	name?: string;
	/** The business side: the Cloud phone number ID (template and account updates: the WhatsApp Business Account ID), or the Lite suit ID. */
	businessNumber: string;
	/** The business number as people dial it (digits): Cloud's display number, the Lite container's linked account; null when unknown. */
	businessDisplayNumber?: string | null;
	/** Lite: the group chat a message was written in; null otherwise. */
	groupId?: string | null;
	type?: InboundMessageType;
	/** The text a person wrote: body, caption, or the title of the button or row they chose. */
	text?: string;
	media?: InboundMedia;
	/** A tapped reply button or list row; `quick_reply` is a template's quick-reply button. */
	interactive?: { kind: 'button_reply' | 'list_reply' | 'quick_reply'; id: string; title: string; description?: string };
	/** Cloud: the answers a person gave in a WhatsApp Flow (inbound/flowReply.ts). */
	flow?: InboundFlowReply;
	location?: { latitude: number; longitude: number; name?: string; address?: string };
	contacts?: Array<{ name?: string; phones: string[] }>;
	/** The ID of the message this one replies to. */
	replyTo?: string;
	reaction?: { messageId: string; emoji: string };
	/** ISO time the backend gives for the event. */
	timestamp?: string;
	status?: string;
	errors?: InboundError[];
	session?: { state: string; reason?: string };
	template?: InboundTemplateUpdate;
	account?: InboundAccountUpdate;
	identity?: InboundIdentityUpdate;
	campaign?: InboundCampaignProgress;
	/** Lite: the container's event ID, the same on every redelivery; null on Cloud. */
	deliveryId?: string | null;
	/** The backend's own object for this event (the message, status or error) as received. */
	raw: unknown;
}
