import { randomBytes } from 'node:crypto';
import { isMediaMessage, type OutboundMessage } from './message';

/**
 * The Lite spec's "random string": a short reference code on its own line, so no two campaign messages are
 * byte-identical (identical bulk text is what WhatsApp's spam detection looks for) while it still reads like
 * an ordinary order or ticket reference.
 */
export function withRandomString(text: string, random: () => string = () => randomBytes(3).toString('hex').toUpperCase()): string {
	return `${text}\n\nRef. ${random()}`;
}

/** The same variation on a message: its text, or its caption when it has one; other messages stay as they are. */
export function withRandomReference(message: OutboundMessage, random?: () => string): OutboundMessage {
	if (message.type === 'text') return { ...message, text: withRandomString(message.text, random) };
	if (isMediaMessage(message) && message.caption) return { ...message, caption: withRandomString(message.caption, random) };
	return message;
}
