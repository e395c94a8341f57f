import type { MetaTemplate, MetaTemplateButton, MetaTemplateComponent } from '../channel/cloudTemplates';
import { carouselCards, componentIn, componentOf, fillPlaceholders, OFFER_EXPIRATION_ID } from './metaTemplate';

/** A component text with its values; `prefix` is a carousel card's (`card_0_`). */
function fill(text: string | undefined, source: 'header' | 'body', values: ReadonlyMap<string, string>, prefix = ''): string {
	return fillPlaceholders(text, (name) => values.get(`${prefix}${source}_${name}`));
}

/** An authentication template's code button and the code it copies. */
export interface OtpButton {
	index: number;
	code: string;
}

function buttonLine(button: MetaTemplateButton, index: number, values: ReadonlyMap<string, string>, otp?: OtpButton, prefix = ''): string {
	const label = button.text ?? '';
	if (index === otp?.index) return `[${label || 'Copy code'}] ${otp.code}`;
	switch (button.type.toUpperCase()) {
		case 'URL':
			return `[${label}] ${fillPlaceholders(button.url, () => values.get(`${prefix}button_${index}_url`) ?? '')}`;
		case 'PHONE_NUMBER':
			return `[${label}] ${button.phone_number ?? ''}`;
		case 'COPY_CODE':
			return `[Copy code] ${values.get(`${prefix}button_${index}_code`) ?? ''}`;
		// Asks the person to share their phone number (Meta lists the button without a text).
		case 'REQUEST_CONTACT_INFO':
			return `[${label || 'Share phone number'}]`;
		default:
			return `[${label}]`;
	}
}

/** A limited-time offer's headline, with the time it ends when the template shows one. */
function offerLine(template: MetaTemplate, values: ReadonlyMap<string, string>): string {
	const offer = componentOf(template, 'LIMITED_TIME_OFFER')?.limited_time_offer;
	if (!offer) return '';
	const ends = values.get(OFFER_EXPIRATION_ID);
	return `[${offer.text ?? 'Limited-time offer'}]${ends ? ` ends ${new Date(Number(ends)).toISOString()}` : ''}`;
}

/** One carousel card: its header label, its body, one line per button. */
function cardText(components: MetaTemplateComponent[], index: number, header: string, values: ReadonlyMap<string, string>): string {
	const prefix = `card_${index}_`;
	const body = fill(componentIn(components, 'BODY')?.text, 'body', values, prefix);
	const buttons = (componentIn(components, 'BUTTONS')?.buttons ?? []).map((button, buttonIndex) =>
		buttonLine(button, buttonIndex, values, undefined, prefix),
	);
	return [`[Card ${index + 1}] ${header}`, body, ...buttons].filter(Boolean).join('\n');
}

/**
 * The template as the recipient reads it: header, body and footer with the values filled in, a media or location
 * header as its label (`[image]`), and one line per button (with its full URL or code; an authentication
 * template's code button with the code).
 */
export function renderTemplateText(
	template: MetaTemplate,
	values: ReadonlyMap<string, string>,
	options: { header?: string; otp?: OtpButton; cardHeaders?: string[] } = {},
): { header: string; text: string } {
	const header = options.header ?? fill(componentOf(template, 'HEADER')?.text, 'header', values);
	const body = fill(componentOf(template, 'BODY')?.text, 'body', values);
	const footer = componentOf(template, 'FOOTER')?.text ?? '';
	const buttons = (componentOf(template, 'BUTTONS')?.buttons ?? [])
		.map((button, index) => buttonLine(button, index, values, options.otp))
		.join('\n');
	const cards = carouselCards(template).map((components, index) => cardText(components, index, options.cardHeaders?.[index] ?? '', values));
	return { header, text: [header, offerLine(template, values), body, footer, buttons, ...cards].filter(Boolean).join('\n\n') };
}
