import { randomBytes } from 'node:crypto';

/**
 * The Lite spec's "random string": a short reference code on its own line, so no two campaign messages are
 * byte-identical (identical bulk text is what WhatsApp's spam detection looks for) while it still reads like
 * an ordinary order or ticket reference.
 */
export function withRandomString(text: string, random: () => string = () => randomBytes(3).toString('hex').toUpperCase()): string {
	return `${text}\n\nRef. ${random()}`;
}
