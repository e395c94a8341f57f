import { WhatsAppError } from '../../../contract/errors';
import { type Envelope, isMediaMessage, type MessageType, type OutboundMessage } from '../message';
import { addressOf, namesBsuid } from '../identity';
import type { Backend, Channel } from './types';

export type UnsupportedInteractive = 'fail' | 'sendAsText';

/** Each backend as an error message names it. */
export const BACKEND_NAMES = { cloud: 'the WhatsApp Cloud API', lite: 'the Lite container' } as const satisfies Record<Backend, string>;

const capitalised = (text: string) => text[0].toUpperCase() + text.slice(1);

/** Interactive messages as plain text with numbered choices, for backends without interactive support. */
function interactiveAsText(message: OutboundMessage): OutboundMessage | undefined {
	const framed = (lines: string[], body: string, header?: string, footer?: string) => ({
		type: 'text' as const,
		text: [header && `*${header}*`, body, '', ...lines, ...(footer ? ['', `_${footer}_`] : [])]
			.filter((line) => line !== undefined)
			.join('\n'),
	});
	switch (message.type) {
		case 'buttons':
			return framed(
				message.buttons.map((button, index) => `${index + 1}. ${button.title}`),
				message.body,
				message.header,
				message.footer,
			);
		case 'list':
			return framed(
				message.sections
					.flatMap((section) => section.rows)
					.map((row, index) => `${index + 1}. ${row.title}${row.description ? ` – ${row.description}` : ''}`),
				message.body,
				message.header,
				message.footer,
			);
		case 'cta_url':
			return framed([`${message.displayText}: ${message.url}`], message.body, message.header, message.footer);
		default:
			return undefined;
	}
}

/**
 * Fits an envelope to what the channel can carry, or says clearly that it cannot. The one place where backend
 * differences in message support are decided.
 */
export function adaptToChannel(envelope: Envelope, channel: Channel, unsupportedInteractive: UnsupportedInteractive): Envelope {
	const backendName = BACKEND_NAMES[channel.backend];
	if (envelope.to.kind === 'group' && !channel.capabilities.groupChats) {
		throw new WhatsAppError(`Group chats cannot be reached through ${backendName}`, {
			kind: 'capability',
			field: 'Recipient',
			description: `${envelope.to.chatId} is a group chat ID; ${backendName} sends only to phone numbers`,
			fix: 'Use a WhatsApp Lite Container credential to write to groups, or enter a phone number',
		});
	}
	assertReachable(envelope, channel);
	const { message } = envelope;
	if (isMediaMessage(message) && 'id' in message.media && !channel.capabilities.mediaIds) {
		throw mediaIdUnsupported(channel.backend);
	}
	if (channel.capabilities.messageTypes.has(envelope.message.type)) return envelope;
	const asText = unsupportedInteractive === 'sendAsText' ? interactiveAsText(envelope.message) : undefined;
	if (asText) return { ...envelope, message: asText };
	const interactive = interactiveAsText(envelope.message) !== undefined;
	throw unsupportedType(
		channel,
		envelope.message.type,
		interactive
			? 'Set "Interactive Messages on Lite" to "Send as Text With Numbered Choices", or use a WhatsApp Cloud API credential'
			: undefined,
	);
}

/**
 * A BSUID is Meta's: the Lite container (WhatsApp Web) has none. Authentication templates (one-tap, zero-tap,
 * copy-code) still need a phone number; Meta would answer 131062 (docs/cloud-api.md, "Contact identities").
 */
function assertReachable({ to, message }: Envelope, channel: Channel) {
	if (namesBsuid(to) && !channel.capabilities.bsuids) {
		const capitalisedName = capitalised(BACKEND_NAMES[channel.backend]);
		throw new WhatsAppError(`${capitalisedName} cannot send to a business-scoped user ID`, {
			kind: 'capability',
			field: 'Recipient',
			description: `${addressOf(to)} is a business-scoped user ID (BSUID); ${BACKEND_NAMES[channel.backend]} sends to phone numbers only`,
			fix: "Send to the person's phone number, or use a WhatsApp Cloud API credential to reach them by BSUID",
		});
	}
	if (to.kind === 'user' && message.type === 'template' && message.category === 'AUTHENTICATION') {
		throw new WhatsAppError(`Authentication template ${message.name} cannot be sent to a business-scoped user ID`, {
			kind: 'validation',
			field: 'Recipient',
			description: `${to.userId} is a BSUID; Meta delivers one-tap, zero-tap and copy-code authentication templates to phone numbers only (error 131062)`,
			fix: "Send it to the person's phone number; to learn it, send a utility or marketing template with a Request Contact Info button first",
		});
	}
}

export function mediaIdUnsupported(backend: Backend): WhatsAppError {
	return new WhatsAppError(`${capitalised(BACKEND_NAMES[backend])} cannot send media by WhatsApp media ID`, {
		kind: 'capability',
		field: 'Media Source',
		description: "Media IDs exist only on Meta's Cloud API",
		fix: 'Send the media by link or from a binary property',
	});
}

/** Message types as a user reads them in an error. */
const TYPE_NAMES: Record<MessageType, string> = {
	text: 'text',
	image: 'image',
	video: 'video',
	audio: 'audio',
	document: 'document',
	sticker: 'sticker',
	location: 'location',
	contacts: 'contact card',
	buttons: 'reply button',
	list: 'list',
	cta_url: 'CTA URL button',
	flow: 'Flow',
	reaction: 'reaction',
	template: 'Meta template',
};

const TYPE_FIXES: Partial<Record<MessageType, string>> = {
	template:
		'Meta-approved templates exist only on the Cloud API: use a WhatsApp Cloud API credential, or set Template Source to "Text Template" to send text with {{path}} placeholders',
};

function unsupportedType(channel: Channel, type: MessageType, fix?: string): WhatsAppError {
	const backendName = BACKEND_NAMES[channel.backend];
	return new WhatsAppError(`${capitalised(backendName)} cannot send ${TYPE_NAMES[type]} messages`, {
		kind: 'capability',
		field: 'Operation',
		description: `${capitalised(backendName)} has no ${TYPE_NAMES[type]} message type`,
		fix: fix ?? TYPE_FIXES[type] ?? 'Use a WhatsApp Cloud API credential for this message type',
	});
}

/** Fails with a capability error when the channel cannot carry this message type at all. */
export function assertCarries(channel: Channel, type: MessageType): void {
	if (!channel.capabilities.messageTypes.has(type)) throw unsupportedType(channel, type);
}
