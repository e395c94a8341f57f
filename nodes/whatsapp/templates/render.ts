import type { MetaTemplate, MetaTemplateButton } from '../channel/cloudTemplates';
import { componentOf, fillPlaceholders } from './metaTemplate';

function fill(text: string | undefined, source: 'header' | 'body', values: ReadonlyMap<string, string>): string {
	return fillPlaceholders(text, (name) => values.get(`${source}_${name}`));
}

/** An authentication template's code button and the code it copies. */
export interface OtpButton {
	index: number;
	code: string;
}

function buttonLine(button: MetaTemplateButton, index: number, values: ReadonlyMap<string, string>, otp?: OtpButton): string {
	const label = button.text ?? '';
	if (index === otp?.index) return `[${label || 'Copy code'}] ${otp.code}`;
	switch (button.type.toUpperCase()) {
		case 'URL':
			return `[${label}] ${fillPlaceholders(button.url, () => values.get(`button_${index}_url`) ?? '')}`;
		case 'PHONE_NUMBER':
			return `[${label}] ${button.phone_number ?? ''}`;
		case 'COPY_CODE':
			return `[Copy code] ${values.get(`button_${index}_code`) ?? ''}`;
		// Asks the person to share their phone number (Meta lists the button without a text).
		case 'REQUEST_CONTACT_INFO':
			return `[${label || 'Share phone number'}]`;
		default:
			return `[${label}]`;
	}
}

/**
 * The template as the recipient reads it: header, body and footer with the values filled in, a media or location
 * header as its label (`[image]`), and one line per button (with its full URL or code; an authentication
 * template's code button with the code).
 */
export function renderTemplateText(
	template: MetaTemplate,
	values: ReadonlyMap<string, string>,
	options: { header?: string; otp?: OtpButton } = {},
): { header: string; text: string } {
	const header = options.header ?? fill(componentOf(template, 'HEADER')?.text, 'header', values);
	const body = fill(componentOf(template, 'BODY')?.text, 'body', values);
	const footer = componentOf(template, 'FOOTER')?.text ?? '';
	const buttons = (componentOf(template, 'BUTTONS')?.buttons ?? [])
		.map((button, index) => buttonLine(button, index, values, options.otp))
		.join('\n');
	return { header, text: [header, body, footer, buttons].filter(Boolean).join('\n\n') };
}
