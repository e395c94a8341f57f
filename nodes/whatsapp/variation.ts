import { withRandomString } from '../../contract/variation';
import { isMediaMessage, type OutboundMessage } from './message';

/** The random reference line on a message: its text, or its caption when it has one; other messages stay as they are. */
export function withRandomReference(message: OutboundMessage, random?: () => string): OutboundMessage {
	if (message.type === 'text') return { ...message, text: withRandomString(message.text, random) };
	if (isMediaMessage(message) && message.caption) return { ...message, caption: withRandomString(message.caption, random) };
	return message;
}
