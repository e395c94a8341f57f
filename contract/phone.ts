import { invalidInput } from './errors';

/** E.164 allows at most 15 digits; no real number with a country code is shorter than 7. */
const MIN_DIGITS = 7;
const MAX_DIGITS = 15;
const GROUP_CHAT = /^\d{5,}(-\d+)?@g\.us$/;
const PERSON_CHAT = /^(\d+)@(c\.us|s\.whatsapp\.net)$/;

/** A person's number (Cloud: with their BSUID too when the item gives both, see identity.ts), or a group chat. */
export type Recipient = { kind: 'person'; digits: string; userId?: string } | { kind: 'group'; chatId: string };

/**
 * Turns what a user typed or mapped ("+49 (151) 234-5678", "0049…", "4915…@c.us") into the digits WhatsApp
 * wants. Refuses what cannot be a phone number instead of sending to a wrong one.
 */
export function normalisePhone(raw: unknown, field = 'Recipient'): string {
	const fix = 'Use the full international number with country code, e.g. +4915123456789';
	if (raw === undefined || raw === null || String(raw).trim() === '') {
		throw invalidInput(field, raw, 'is empty', fix);
	}
	const original = String(raw).trim();
	const personChat = PERSON_CHAT.exec(original);
	let digits = personChat ? personChat[1] : original.replace(/[\s\-().]/g, '');
	if (digits.startsWith('+')) digits = digits.slice(1);
	else if (digits.startsWith('00')) digits = digits.slice(2);
	if (!/^\d+$/.test(digits)) {
		throw invalidInput(
			field,
			original,
			'is not a phone number (only digits, spaces, dots, dashes, parentheses and a leading + or 00 are allowed)',
			fix,
		);
	}
	if (digits.length < MIN_DIGITS) {
		throw invalidInput(field, original, `is too short (${digits.length} digits, at least ${MIN_DIGITS} with the country code)`, fix);
	}
	if (digits.length > MAX_DIGITS) {
		throw invalidInput(field, original, `is too long (${digits.length} digits, at most ${MAX_DIGITS})`, fix);
	}
	return digits;
}

/** A recipient: a person's number, or a WhatsApp group chat ID (`…@g.us`, Lite container only). */
export function parseRecipient(raw: unknown, field = 'Recipient'): Recipient {
	const text = typeof raw === 'string' ? raw.trim() : raw;
	if (typeof text === 'string' && GROUP_CHAT.test(text)) return { kind: 'group', chatId: text };
	return { kind: 'person', digits: normalisePhone(raw, field) };
}

export function recipientAddress(recipient: Recipient): string {
	return recipient.kind === 'group' ? recipient.chatId : recipient.digits;
}
