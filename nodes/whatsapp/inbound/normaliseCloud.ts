import {
	ACCOUNT_FIELDS,
	isAccountField,
	isTemplateField,
	MESSAGES_FIELD,
	TEMPLATE_FIELDS,
	USER_ID_UPDATE_FIELD,
} from '../../../contract/cloudFields';
import { flowReplyOf } from './flowReply';
import type { InboundAccountUpdate, InboundError, InboundEvent, InboundMessageType, InboundTemplateUpdate } from './event';
import { type Json, compact, isObject, isoFromUnix, listAt, text, UnexpectedPayload, withSharedKeys } from './normalise';

const MEDIA = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const PASSED_THROUGH = new Set<string>(['text', 'location', 'contacts', 'reaction', 'order', 'system', 'unsupported', ...MEDIA]);

interface Business {
	businessNumber: string;
	businessDisplayNumber?: string;
	contacts: Json[];
}

/** Who a message or status is about, from the event and the change's `contacts[]` (docs/cloud-api.md, "Contact identities"). */
interface Person {
	phone?: string;
	userId?: string;
	parentUserId?: string;
	username?: string;
	name?: string;
}

/**
 * The `contacts[]` entry of a person: the one with their phone (`wa_id`) or BSUID (`user_id`), else the only one (a
 * phone-less sender's entry has no `wa_id` to match by).
 */
function contactOf(contacts: Json[], phone: string | undefined, userId: string | undefined): Json | undefined {
	const matched = contacts.find((contact) => (phone && text(contact.wa_id) === phone) || (userId && text(contact.user_id) === userId));
	return matched ?? (contacts.length === 1 ? contacts[0] : undefined);
}

function personOf(contacts: Json[], phone: string | undefined, userId: string | undefined, parentUserId: string | undefined): Person {
	const contact = contactOf(contacts, phone, userId) ?? {};
	const profile = isObject(contact.profile) ? contact.profile : {};
	return {
		phone: phone ?? text(contact.wa_id),
		userId: userId ?? text(contact.user_id),
		parentUserId: parentUserId ?? text(contact.parent_user_id),
		username: text(profile.username),
		name: text(profile.name),
	};
}

/** The identity keys every message and status item carries, null when unknown. */
const identityKeys = (person: Person) => ({
	userId: person.userId ?? null,
	parentUserId: person.parentUserId ?? null,
	username: person.username ?? null,
});

function errorsOf(value: unknown): InboundError[] | undefined {
	if (!Array.isArray(value) || value.length === 0) return undefined;
	return value.filter(isObject).map((error) =>
		compact({
			code: typeof error.code === 'number' || typeof error.code === 'string' ? error.code : undefined,
			title: text(error.title),
			message: text(error.message),
			details: isObject(error.error_data) ? text(error.error_data.details) : undefined,
		}),
	);
}

function interactiveOf(message: Json): InboundEvent['interactive'] {
	if (message.type === 'button' && isObject(message.button)) {
		const title = text(message.button.text) ?? '';
		return { kind: 'quick_reply', id: text(message.button.payload) ?? title, title };
	}
	const interactive = isObject(message.interactive) ? message.interactive : {};
	const kind: 'list_reply' | 'button_reply' = interactive.type === 'list_reply' ? 'list_reply' : 'button_reply';
	const reply = interactive[kind];
	if (!isObject(reply)) return undefined;
	return compact({ kind, id: text(reply.id) ?? '', title: text(reply.title) ?? '', description: text(reply.description) });
}

/** The type-specific part of a message: text, media, interactive reply, location, contacts, reaction. */
function content(message: Json, type: string): Partial<InboundEvent> {
	const body = isObject(message[type]) ? (message[type] as Json) : {};
	if (type === 'text') return { text: text(body.body) };
	if (MEDIA.has(type)) {
		const media = compact({
			id: text(body.id),
			mimeType: text(body.mime_type),
			caption: text(body.caption),
			filename: text(body.filename),
			sha256: text(body.sha256),
			voice: body.voice === true ? true : undefined,
		});
		return { media, text: media.caption };
	}
	if (type === 'interactive' || type === 'button') {
		const flow = flowReplyOf(message);
		if (flow)
			return {
				flow,
				text:
					isObject(message.interactive) && isObject(message.interactive.nfm_reply) ? text(message.interactive.nfm_reply.body) : undefined,
			};
		const interactive = interactiveOf(message);
		return { interactive, text: interactive?.title };
	}
	if (type === 'location') {
		return {
			location: compact({
				latitude: Number(body.latitude),
				longitude: Number(body.longitude),
				name: text(body.name),
				address: text(body.address),
			}),
		};
	}
	if (type === 'contacts' && Array.isArray(message.contacts)) {
		return {
			contacts: message.contacts.filter(isObject).map((card) =>
				compact({
					name: isObject(card.name) ? text(card.name.formatted_name) : undefined,
					phones: (Array.isArray(card.phones) ? card.phones.filter(isObject) : [])
						.map((phone) => text(phone.wa_id) ?? text(phone.phone) ?? '')
						.filter(Boolean),
				}),
			),
		};
	}
	if (type === 'reaction') return { reaction: { messageId: text(body.message_id) ?? '', emoji: text(body.emoji) ?? '' } };
	return {};
}

/**
 * The phone a person shared by tapping a template's Request Contact Info button: a `contacts` message with `origin`
 * `contact_request` whose card is their own (docs/cloud-api.md, "Contact identities"). Its item then has `from` beside
 * `userId`, and the trigger learns the pair.
 */
function sharedPhone(message: Json): string | undefined {
	if (message.type !== 'contacts' || message.origin !== 'contact_request' || !Array.isArray(message.contacts)) return undefined;
	const [card] = message.contacts.filter(isObject);
	const [phone] = card && Array.isArray(card.phones) ? card.phones.filter(isObject) : [];
	const digits = phone && (text(phone.wa_id) ?? text(phone.phone))?.replace(/\D/g, '');
	return digits || undefined;
}

function messageEvent(message: Json, business: Business): InboundEvent {
	const rawType = text(message.type) ?? 'unsupported';
	const type: InboundMessageType =
		rawType === 'button'
			? 'interactive'
			: PASSED_THROUGH.has(rawType) || rawType === 'interactive'
				? (rawType as InboundMessageType)
				: 'unsupported';
	const from = text(message.from) ?? sharedPhone(message);
	const person = personOf(business.contacts, from, text(message.from_user_id), text(message.from_parent_user_id));
	return compact({
		event: 'message',
		backend: 'cloud',
		messageId: text(message.id),
		from: person.phone,
		...identityKeys(person),
		name: person.name,
		businessNumber: business.businessNumber,
		businessDisplayNumber: business.businessDisplayNumber,
		type,
		...content(message, rawType),
		replyTo: isObject(message.context) ? text(message.context.id) : undefined,
		timestamp: isoFromUnix(message.timestamp),
		errors: errorsOf(message.errors),
		raw: message,
	});
}

function statusEvent(status: Json, business: Business): InboundEvent {
	const person = personOf(
		business.contacts,
		text(status.recipient_id),
		text(status.recipient_user_id),
		text(status.recipient_parent_user_id),
	);
	return compact({
		event: 'status',
		backend: 'cloud',
		messageId: text(status.id),
		to: person.phone,
		...identityKeys(person),
		businessNumber: business.businessNumber,
		businessDisplayNumber: business.businessDisplayNumber,
		status: text(status.status),
		timestamp: isoFromUnix(status.timestamp),
		errors: errorsOf(status.errors),
		raw: status,
	});
}

function errorEvent(error: Json, business: Business): InboundEvent {
	return compact({
		event: 'error',
		backend: 'cloud',
		businessNumber: business.businessNumber,
		businessDisplayNumber: business.businessDisplayNumber,
		errors: errorsOf([error]),
		raw: error,
	});
}

/** One `changes[].value` of field `messages`: its messages, statuses and errors, in that order. */
function changeEvents(value: Json, where: string): InboundEvent[] {
	const business = businessOf(value, where);
	return [
		...listAt(value, 'messages', where).map((message) => messageEvent(message, business)),
		...listAt(value, 'statuses', where).map((status) => statusEvent(status, business)),
		...listAt(value, 'errors', where).map((error) => errorEvent(error, business)),
	];
}

function businessOf(value: Json, where: string): Business {
	const metadata = isObject(value.metadata) ? value.metadata : {};
	return {
		businessNumber: text(metadata.phone_number_id) ?? '',
		businessDisplayNumber: text(metadata.display_phone_number),
		contacts: listAt(value, 'contacts', where),
	};
}

/** `user_id_update`: one event per person whose BSUID changed with their phone number (the item's `from` is the new phone). */
function identityEvents(value: Json, where: string): InboundEvent[] {
	const business = businessOf(value, where);
	return listAt(value, 'user_id_update', where).map((update) => {
		const ids = isObject(update.user_id) ? update.user_id : {};
		const parents = isObject(update.parent_user_id) ? update.parent_user_id : {};
		const person = personOf(business.contacts, text(update.wa_id), text(ids.current), text(parents.current));
		return compact({
			event: 'identity',
			backend: 'cloud',
			from: person.phone,
			...identityKeys(person),
			name: person.name,
			businessNumber: business.businessNumber,
			businessDisplayNumber: business.businessDisplayNumber,
			identity: compact({ update: 'userId' as const, previousUserId: text(ids.previous), userId: text(ids.current) }),
			timestamp: isoFromUnix(update.timestamp),
			raw: update,
		});
	});
}

/** Meta says "NONE" where there is no reason. */
const reasonText = (value: unknown) => (text(value) === 'NONE' ? undefined : text(value));

function templateEvent(value: Json, update: InboundTemplateUpdate['update'], businessAccountId: string): InboundEvent {
	const otherInfo = isObject(value.other_info) ? value.other_info : {};
	const pause = [text(otherInfo.title), text(otherInfo.description)].filter(Boolean).join(': ');
	return compact({
		event: 'template',
		backend: 'cloud',
		businessNumber: businessAccountId,
		template: compact({
			update,
			id: text(value.message_template_id),
			name: text(value.message_template_name),
			language: text(value.message_template_language),
			status: text(value.event),
			reason: reasonText(value.reason) ?? (pause || undefined),
			quality: text(value.new_quality_score),
			previousQuality: text(value.previous_quality_score),
			category: text(value.new_category),
			previousCategory: text(value.previous_category),
			correctCategory: text(value.correct_category),
		}),
		raw: value,
	});
}

function accountEvent(value: Json, update: InboundAccountUpdate['update'], businessAccountId: string): InboundEvent {
	const violation = isObject(value.violation_info) ? text(value.violation_info.violation_type) : undefined;
	const restrictions = Array.isArray(value.restriction_info)
		? value.restriction_info.filter(isObject).map((restriction) => text(restriction.restriction_type))
		: [];
	const phoneNumber = text(value.display_phone_number) ?? text(value.phone_number);
	return compact({
		event: 'account',
		backend: 'cloud',
		businessNumber: businessAccountId,
		businessDisplayNumber: phoneNumber,
		account: compact({
			update,
			event: text(value.event),
			phoneNumber,
			messagingLimit: text(value.current_limit),
			previousMessagingLimit: text(value.old_limit),
			reason: violation ?? (restrictions.filter(Boolean).join(', ') || undefined),
		}),
		raw: value,
	});
}

/**
 * A Cloud API webhook body (`object: whatsapp_business_account`) as events: one per message, status and error,
 * template update, account update and BSUID change (`user_id_update`), across all entries and changes. Other fields
 * carry none.
 */
export function normaliseCloud(body: unknown): InboundEvent[] {
	if (!isObject(body) || body.object !== 'whatsapp_business_account')
		throw new UnexpectedPayload('object is not "whatsapp_business_account"');
	const events = listAt(body, 'entry', 'body').flatMap((entry, entryIndex) =>
		listAt(entry, 'changes', `entry[${entryIndex}]`).flatMap((change, changeIndex) => {
			const where = `entry[${entryIndex}].changes[${changeIndex}].value`;
			const field = String(change.field);
			const known = field === MESSAGES_FIELD || field === USER_ID_UPDATE_FIELD || isTemplateField(field) || isAccountField(field);
			if (!known) return [];
			if (!isObject(change.value)) throw new UnexpectedPayload(`${where} is not an object`);
			const businessAccountId = text(entry.id) ?? '';
			if (isTemplateField(field)) return [templateEvent(change.value, TEMPLATE_FIELDS[field], businessAccountId)];
			if (isAccountField(field)) return [accountEvent(change.value, ACCOUNT_FIELDS[field], businessAccountId)];
			if (field === USER_ID_UPDATE_FIELD) return identityEvents(change.value, where);
			return changeEvents(change.value, where);
		}),
	);
	return events.map(withSharedKeys);
}
