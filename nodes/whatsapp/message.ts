import { invalidInput } from '../../contract/errors';
import { MAX_TEXT_LENGTH } from '../../contract/limits';
import { checkFlowMessage, type FlowMessageParts } from './flowMessage';
import type { ContactIdentity, ContactRecipient } from './identity';

/** Limits from Meta's Cloud API documentation (docs/cloud-api.md). */
export const LIMITS = {
	textBody: MAX_TEXT_LENGTH,
	caption: 1024,
	interactiveBody: 1024,
	headerText: 60,
	footerText: 60,
	buttonTitle: 20,
	buttonId: 256,
	buttonsMax: 3,
	listButtonText: 20,
	listRowsMax: 10,
	listRowTitle: 24,
	listRowDescription: 72,
	listRowId: 200,
	listSectionTitle: 24,
	ctaDisplayText: 20,
} as const;

export interface BinaryMedia {
	data: Buffer;
	mimeType: string;
	fileName?: string;
}

/** Where a media file comes from: exactly one of a public link, an uploaded media ID, or n8n binary data. */
export type MediaSource = { link: string } | { id: string } | { binary: BinaryMedia };

export const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export interface ContactCard {
	name: { formatted_name: string; first_name?: string; last_name?: string };
	phones?: Array<{ phone: string; type?: string; wa_id?: string }>;
	emails?: Array<{ email: string; type?: string }>;
	org?: { company?: string; title?: string };
	urls?: Array<{ url: string; type?: string }>;
	birthday?: string;
}

export interface InteractiveFrame {
	body: string;
	header?: string;
	footer?: string;
}

/** One value for a template placeholder; `name` is set for templates created with named parameters. */
export interface TemplateParameter {
	name?: string;
	/** The text; for a currency or date-time parameter its fallback_value. */
	text: string;
	/** A body parameter sent as Meta's currency or date_time type instead of text. */
	localized?: { type: 'currency'; code: string; amount1000: number } | { type: 'date_time' };
}

/** A template's LOCATION header: the place shown on the map above the body. */
export interface TemplateLocation {
	latitude: number;
	longitude: number;
	name?: string;
	address?: string;
}

export const TEMPLATE_MEDIA_TYPES = ['image', 'video', 'document'] as const;
export type TemplateMediaType = (typeof TEMPLATE_MEDIA_TYPES)[number];

export type TemplateHeader =
	| { type: 'text'; parameters: TemplateParameter[] }
	| { type: TemplateMediaType; media: MediaSource; filename?: string };

/** A button's parameter, addressed by the button's index in the template (0-9). */
export type TemplateButtonParameter =
	| { index: number; subType: 'quick_reply'; payload: string }
	| { index: number; subType: 'url'; text: string }
	| { index: number; subType: 'copy_code'; couponCode: string }
	/** A Flow button: the token that comes back with the answers, and the first screen's data. */
	| { index: number; subType: 'flow'; flowToken?: string; flowActionData?: Record<string, unknown> };

/** One card of a carousel template: its media header, body parameters and button parameters. */
export interface TemplateCard {
	index: number;
	header: { type: 'image' | 'video'; media: MediaSource };
	body: TemplateParameter[];
	buttons: TemplateButtonParameter[];
}

/** A Meta-approved template with its parameters, already checked against the template (templates/parameters.ts). */
export interface TemplateMessage {
	type: 'template';
	name: string;
	language: string;
	/** MARKETING, UTILITY or AUTHENTICATION, as Meta lists the template (authentication ones need a phone number). */
	category?: string;
	header?: TemplateHeader;
	/** Set instead of `header` for templates with a LOCATION header. */
	headerLocation?: TemplateLocation;
	body: TemplateParameter[];
	buttons: TemplateButtonParameter[];
	/** A limited-time offer template's expiry, shown as a countdown (templates with offer expiration only). */
	limitedTimeOffer?: { expirationTimeMs: number };
	/** A carousel template's cards, every card the template defines, in order. */
	cards?: TemplateCard[];
	/**
	 * Cloud: send it through Meta's Marketing Messages API when it is a marketing template (channel/marketingMessages.ts);
	 * `ttlSeconds` is the template's time-to-live where Meta's listing gave it.
	 */
	marketingMessages?: { ttlSeconds?: number };
	/**
	 * The template's ID and when this execution read Meta's listing that showed it APPROVED: a pause recorded after
	 * that stops the send, an older one was lifted (delivery/templateHealth.ts).
	 */
	approved?: { templateId: string; listedAt: number };
}

export type OutboundMessage =
	| { type: 'text'; text: string; previewUrl?: boolean }
	| { type: MediaType; media: MediaSource; caption?: string; filename?: string; voice?: boolean }
	| { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
	| { type: 'contacts'; contacts: ContactCard[] }
	| ({ type: 'buttons'; buttons: Array<{ id: string; title: string }> } & InteractiveFrame)
	| ({
			type: 'list';
			buttonText: string;
			sections: Array<{ title?: string; rows: Array<{ id: string; title: string; description?: string }> }>;
	  } & InteractiveFrame)
	| ({ type: 'cta_url'; displayText: string; url: string } & InteractiveFrame)
	| ({ type: 'flow' } & FlowMessageParts & InteractiveFrame)
	| { type: 'reaction'; messageId: string; emoji: string }
	| TemplateMessage;

export type MessageType = OutboundMessage['type'];

/** One message to one recipient: what a node hands to a Channel. */
export interface Envelope {
	to: ContactRecipient;
	/**
	 * The person this reaches, with the phone or BSUID a webhook linked to the address (identity.ts); what the
	 * ledger and the opt-out list know them by. Absent: the address alone.
	 */
	contact?: ContactIdentity;
	/** The wamid of the message this one replies to. */
	replyTo?: string;
	message: OutboundMessage;
}

export function isMediaMessage(message: OutboundMessage): message is Extract<OutboundMessage, { media: MediaSource }> {
	return (MEDIA_TYPES as readonly string[]).includes(message.type);
}

function checkLength(field: string, value: string | undefined, max: number, fix = `Shorten it to ${max} characters or fewer`) {
	if (value !== undefined && [...value].length > max) {
		throw invalidInput(field, value, `is ${[...value].length} characters long, more than the ${max} WhatsApp allows`, fix);
	}
}

function checkRequired(field: string, value: string | undefined, fix: string) {
	if (value === undefined || value.trim() === '') throw invalidInput(field, value, 'is empty', fix);
}

function checkUrl(field: string, value: string) {
	let url: URL | undefined;
	try {
		url = new URL(value);
	} catch {
		// Not a URL: refused just below, naming the field and the value.
		url = undefined;
	}
	if (!url || !['http:', 'https:'].includes(url.protocol)) {
		throw invalidInput(field, value, 'is not an http(s) URL', 'Use a full public link such as https://example.com/file.jpg');
	}
}

function checkMediaSource(media: MediaSource) {
	const given = ['link', 'id', 'binary'].filter((key) => key in media && (media as Record<string, unknown>)[key]);
	if (given.length !== 1) {
		throw invalidInput(
			'Media',
			given.join(' and ') || 'nothing',
			'must be exactly one of a link, a media ID or a binary property',
			'Choose one media source',
		);
	}
	if ('link' in media) checkUrl('Media Link', media.link);
	if ('id' in media && !/^\d+$/.test(media.id)) {
		throw invalidInput('Media ID', media.id, 'is not a WhatsApp media ID (digits only)', 'Use the id returned by a media upload');
	}
}

function checkMedia(message: Extract<OutboundMessage, { media: MediaSource }>) {
	checkMediaSource(message.media);
	if (message.caption !== undefined && message.type !== 'image' && message.type !== 'video' && message.type !== 'document') {
		throw invalidInput(
			'Caption',
			message.caption,
			`cannot be sent with ${message.type} messages`,
			'Remove the caption or send the text as its own message',
		);
	}
	checkLength('Caption', message.caption, LIMITS.caption);
}

function checkInteractiveFrame(message: InteractiveFrame) {
	checkRequired('Body Text', message.body, 'Enter the text shown above the buttons');
	checkLength('Body Text', message.body, LIMITS.interactiveBody);
	checkLength('Header Text', message.header, LIMITS.headerText);
	checkLength('Footer Text', message.footer, LIMITS.footerText);
}

function checkButtons(buttons: Array<{ id: string; title: string }>) {
	if (buttons.length < 1 || buttons.length > LIMITS.buttonsMax) {
		throw invalidInput(
			'Buttons',
			`${buttons.length} buttons`,
			`is not allowed: reply buttons take 1 to ${LIMITS.buttonsMax}`,
			'Use a list message for more choices',
		);
	}
	const titles = new Set<string>();
	buttons.forEach((button, index) => {
		const field = `Button ${index + 1} Title`;
		checkRequired(field, button.title, 'Give every button a title');
		checkLength(field, button.title, LIMITS.buttonTitle);
		checkRequired(`Button ${index + 1} ID`, button.id, 'Give every button an ID (it comes back in the reply)');
		checkLength(`Button ${index + 1} ID`, button.id, LIMITS.buttonId);
		if (titles.has(button.title)) {
			throw invalidInput(field, button.title, 'is used by another button', 'Give each button a different title');
		}
		titles.add(button.title);
	});
}

function checkList(message: Extract<OutboundMessage, { type: 'list' }>) {
	checkRequired('List Button Text', message.buttonText, 'Enter the label of the button that opens the list');
	checkLength('List Button Text', message.buttonText, LIMITS.listButtonText);
	const rows = message.sections.flatMap((section) => section.rows);
	if (rows.length < 1 || rows.length > LIMITS.listRowsMax) {
		throw invalidInput(
			'List Rows',
			`${rows.length} rows`,
			`is not allowed: a list holds 1 to ${LIMITS.listRowsMax} rows in all sections together`,
			'Remove rows or split the choices over two messages',
		);
	}
	if (message.sections.length > 1) {
		message.sections.forEach((section, index) =>
			checkRequired(`Section ${index + 1} Title`, section.title, 'Lists with several sections need a title on each'),
		);
	}
	message.sections.forEach((section, index) => checkLength(`Section ${index + 1} Title`, section.title, LIMITS.listSectionTitle));
	const ids = new Set<string>();
	rows.forEach((row, index) => {
		checkRequired(`Row ${index + 1} Title`, row.title, 'Give every row a title');
		checkLength(`Row ${index + 1} Title`, row.title, LIMITS.listRowTitle);
		checkLength(`Row ${index + 1} Description`, row.description, LIMITS.listRowDescription);
		checkRequired(`Row ${index + 1} ID`, row.id, 'Give every row an ID (it comes back in the reply)');
		checkLength(`Row ${index + 1} ID`, row.id, LIMITS.listRowId);
		if (ids.has(row.id)) throw invalidInput(`Row ${index + 1} ID`, row.id, 'is used by another row', 'Give each row a different ID');
		ids.add(row.id);
	});
}

function checkContacts(contacts: ContactCard[]) {
	if (contacts.length === 0) throw invalidInput('Contacts', '0 contacts', 'is not allowed', 'Add at least one contact');
	contacts.forEach((contact, index) =>
		checkRequired(`Contact ${index + 1} Formatted Name`, contact.name?.formatted_name, 'Every contact card needs a name'),
	);
}

function checkTemplate(message: TemplateMessage) {
	checkRequired('Template Name', message.name, 'Pick a template from the list');
	checkRequired('Template Language', message.language, "Give the template's language code, such as en_US");
	if (message.header && message.header.type !== 'text') checkMediaSource(message.header.media);
	message.cards?.forEach((card) => checkMediaSource(card.header.media));
	const texts = [...(message.header?.type === 'text' ? message.header.parameters : []), ...message.body];
	texts.forEach((parameter) =>
		checkRequired(`Template Parameter ${parameter.name ?? ''}`.trim(), parameter.text, 'Give every placeholder a value'),
	);
	message.buttons.forEach((button) => {
		if (!Number.isInteger(button.index) || button.index < 0 || button.index > 9) {
			throw invalidInput(
				'Template Button Index',
				button.index,
				'is not a button position',
				"Use the button's position in the template, 0 to 9",
			);
		}
	});
}

/** Checks a message against WhatsApp's limits before anything is sent. Throws a validation error naming the field. */
export function validateMessage(message: OutboundMessage): void {
	switch (message.type) {
		case 'text':
			checkRequired('Text', message.text, 'Enter the message text');
			checkLength('Text', message.text, LIMITS.textBody, `Shorten it to ${LIMITS.textBody} characters or split it into several messages`);
			return;
		case 'location':
			if (!Number.isFinite(message.latitude) || Math.abs(message.latitude) > 90) {
				throw invalidInput('Latitude', message.latitude, 'is not a latitude', 'Use a number from -90 to 90');
			}
			if (!Number.isFinite(message.longitude) || Math.abs(message.longitude) > 180) {
				throw invalidInput('Longitude', message.longitude, 'is not a longitude', 'Use a number from -180 to 180');
			}
			return;
		case 'contacts':
			return checkContacts(message.contacts);
		case 'buttons':
			checkInteractiveFrame(message);
			return checkButtons(message.buttons);
		case 'list':
			checkInteractiveFrame(message);
			return checkList(message);
		case 'cta_url':
			checkInteractiveFrame(message);
			checkRequired('Button Text', message.displayText, 'Enter the text of the link button');
			checkLength('Button Text', message.displayText, LIMITS.ctaDisplayText);
			return checkUrl('Button URL', message.url);
		case 'flow':
			checkInteractiveFrame(message);
			return checkFlowMessage(message);
		case 'reaction':
			checkRequired('Message ID', message.messageId, 'Enter the wamid of the message to react to');
			return;
		case 'template':
			return checkTemplate(message);
		default:
			return checkMedia(message);
	}
}
