import { invalidInput } from '../../contract/errors';
import { normalisePhone, parseRecipient, type Recipient, recipientAddress } from '../../contract/phone';

/**
 * Who a contact is (docs/cloud-api.md, "Contact identities"): a phone number, a Meta business-scoped user ID
 * (BSUID), or both once a webhook linked them. Every place that says "this person" (ledger, once per recipient,
 * opt-outs, reports, trigger filters) keys on the identity through this module, never on a raw phone string.
 */
export interface ContactIdentity {
	/** Digits with country code. */
	phone?: string;
	/** The BSUID (`US.13491208655302741918`) or a parent BSUID (`US.ENT.11815799212886844830`). */
	userId?: string;
}

/** Meta's form: a two-letter country code, a dot, up to 128 letters and digits; a parent BSUID has `ENT.` after the code. */
const BSUID = /^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$/;
/** What someone meant as a BSUID (letters, then a dot), so a typo in one is named as a BSUID error, not a phone one. */
const MEANT_AS_BSUID = /^[A-Za-z]{2,}\./;
const PARENT = /^[A-Z]{2}\.ENT\./;
const TOO_LONG = /^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{129,}$/;

const BSUID_FIX =
	'Use the BSUID exactly as the WhatsApp Trigger gives it in userId (two capital letters, a dot, then letters and digits, e.g. US.13491208655302741918), or a phone number with country code';

export function isBsuid(value: unknown): value is string {
	return typeof value === 'string' && BSUID.test(value);
}

export function isParentBsuid(value: string): boolean {
	return PARENT.test(value);
}

/** Whether a typed value is meant as a BSUID (well formed or not) rather than a phone number. */
export function meantAsBsuid(raw: unknown): boolean {
	return typeof raw === 'string' && MEANT_AS_BSUID.test(raw.trim());
}

/** A BSUID as typed or mapped, checked; refused with the field, the value and the fix. */
export function parseBsuid(raw: unknown, field = 'Recipient'): string {
	const value = typeof raw === 'string' ? raw.trim() : raw;
	if (isBsuid(value)) return value;
	const problem =
		typeof value === 'string' && TOO_LONG.test(value)
			? 'is too long for a business-scoped user ID (at most 128 letters and digits after the country code)'
			: 'is not a business-scoped user ID (BSUID)';
	throw invalidInput(field, value, problem, BSUID_FIX);
}

/** A phone number or a BSUID as typed or mapped: which one it is, checked. */
export function parseContact(raw: unknown, field = 'Recipient'): ContactIdentity {
	return meantAsBsuid(raw) ? { userId: parseBsuid(raw, field) } : { phone: normalisePhone(raw, field) };
}

/**
 * The one key a person is recorded under: the phone when known (the key the ledger, opt-out lists and the Lite
 * gateway have always used), else the BSUID. Throws for an identity with neither.
 */
export function identityKey(identity: ContactIdentity): string {
	const key = identity.phone ?? identity.userId;
	if (!key) throw new Error('A contact identity needs a phone number or a BSUID');
	return key;
}

/** Every key a person may have been recorded under: the phone and the BSUID, those known. */
export function identityAliases(identity: ContactIdentity): string[] {
	return [identity.phone, identity.userId].filter((key): key is string => key !== undefined);
}

/** The identity with the pair a webhook taught added: a BSUID gains its phone, a phone its BSUID. */
export function linkedIdentity(identity: ContactIdentity, link: ContactIdentity | undefined): ContactIdentity {
	if (!link) return identity;
	return { phone: identity.phone ?? link.phone, userId: identity.userId ?? link.userId };
}

/** Where a message goes: a phone (with the person's BSUID too when known), a BSUID alone, or a group chat (Lite). */
export type ContactRecipient = Recipient | { kind: 'user'; userId: string };

/**
 * The Recipient of a send as typed or mapped: a BSUID, a phone number or a group chat ID; `alsoUserId` is the
 * person's BSUID given beside a phone (Meta then sends to the phone: `to` wins over `recipient`).
 */
export function parseRecipientOrBsuid(raw: unknown, alsoUserId?: unknown, field = 'Recipient'): ContactRecipient {
	if (meantAsBsuid(raw)) return { kind: 'user', userId: parseBsuid(raw, field) };
	const recipient = parseRecipient(raw, field);
	const userId = String(alsoUserId ?? '').trim();
	if (!userId || recipient.kind !== 'person') return recipient;
	return { ...recipient, userId: parseBsuid(userId, 'Recipient BSUID') };
}

/** The address a message goes to: the phone digits (they win over a BSUID beside them), the BSUID, or the group chat ID. */
export function addressOf(recipient: ContactRecipient): string {
	if (recipient.kind === 'user') return recipient.userId;
	return recipientAddress(recipient);
}

/** Whether the recipient names a BSUID (alone or beside a phone). */
export function namesBsuid(recipient: ContactRecipient): boolean {
	return recipient.kind === 'user' || (recipient.kind === 'person' && recipient.userId !== undefined);
}

/** The person a recipient is; undefined for a group chat. */
export function identityOfRecipient(recipient: ContactRecipient): ContactIdentity | undefined {
	if (recipient.kind === 'user') return { userId: recipient.userId };
	if (recipient.kind === 'group') return undefined;
	return { phone: recipient.digits, ...(recipient.userId && { userId: recipient.userId }) };
}

/** The key a send is recorded under in the ledger and reports: the person's identity key, or the group chat ID. */
export function recipientKey(envelope: { to: ContactRecipient; contact?: ContactIdentity }): string {
	const identity = envelope.contact ?? identityOfRecipient(envelope.to);
	return identity ? identityKey(identity) : addressOf(envelope.to);
}
