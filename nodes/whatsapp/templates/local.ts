import { WhatsAppError } from '../../../contract/errors';
import type { OutboundMessage, TemplateMediaType } from '../message';
import { withRandomString } from '../../../contract/variation';
import { renderAutomator } from '../../../contract/automator';

export type MissingValues = 'fail' | 'skip';

export interface LocalTemplate {
	text: string;
	/** A media link, itself allowed to hold placeholders; the text becomes its caption. */
	mediaUrl?: string;
	mediaType: TemplateMediaType;
	missingValues: MissingValues;
	randomString: boolean;
}

export type LocalRendering = { message: OutboundMessage; renderedText: string } | { skipped: string };

/**
 * Renders an Automator-style template against one item's JSON into a text (or captioned media) message that
 * any backend carries. A placeholder with no value and no fallback fails the item, or skips it with the reason.
 */
export function renderLocalTemplate(template: LocalTemplate, data: unknown, random?: () => string): LocalRendering {
	const text = renderAutomator(template.text, data);
	const mediaUrl = template.mediaUrl ? renderAutomator(template.mediaUrl, data) : undefined;
	const missing = [...new Set([...text.missing, ...(mediaUrl?.missing ?? [])])];
	if (missing.length) {
		const placeholders = missing.map((path) => `{{${path}}}`).join(', ');
		const reason = `${placeholders} ${missing.length === 1 ? 'has' : 'have'} no value in this item and no fallback`;
		if (template.missingValues === 'skip') return { skipped: reason };
		throw new WhatsAppError(`Text Template: ${reason}`, {
			kind: 'validation',
			field: 'Text Template',
			description: `The item's JSON has no value at ${missing.join(', ')}`,
			fix: `Add a fallback such as {{${missing[0]} | "there"}}, put the field into the item, or set "Missing Values" to "Skip the Item"`,
		});
	}
	const renderedText = template.randomString ? withRandomString(text.text, random) : text.text;
	const link = mediaUrl?.text.trim();
	const message: OutboundMessage = link
		? { type: template.mediaType, media: { link }, ...(renderedText.trim() && { caption: renderedText }) }
		: { type: 'text', text: renderedText };
	return { message, renderedText };
}
