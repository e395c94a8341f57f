import { WhatsAppError } from '../errors';
import type { MetaTemplate, MetaTemplateButton, MetaTemplateComponent } from '../channel/cloudTemplates';
import type { TemplateMediaType } from '../message';

export type PlaceholderSource = 'header' | 'headerMedia' | 'headerFilename' | 'location' | 'body' | 'urlButton' | 'quickReply' | 'copyCode';

/** The ID of the value holding a media header: a link, a media ID or the name of a binary field. */
export const MEDIA_HEADER_ID = 'media_header';
/** The file name shown for a document header given by link or media ID (a binary field brings its own). */
export const HEADER_FILENAME_ID = 'media_header_filename';
/** The IDs of a LOCATION header's values. */
export const LOCATION_IDS = {
	latitude: 'location_latitude',
	longitude: 'location_longitude',
	name: 'location_name',
	address: 'location_address',
} as const;

/** One value a template asks for when it is sent. */
export interface Placeholder {
	/** Stable key, also the resource mapper's field ID: `body_1`, `body_first_name`, `header_1`, `button_0_url`. */
	id: string;
	/**
	 * How the user sees it: `Body {{first_name}}`, `Button 1 URL Suffix`. Short: n8n 2.x cuts a placeholder's label at
	 * about 25 characters, without a tooltip, and a placeholder field has no hint or description of its own.
	 */
	label: string;
	source: PlaceholderSource;
	/** The name between the braces (`1`, `first_name`); for buttons, the button's index. */
	name: string;
	/** Quick-reply payloads may be left out (WhatsApp then sends the button text back). */
	required: boolean;
	buttonIndex?: number;
}

export interface TemplateShape {
	named: boolean;
	headerMedia?: TemplateMediaType;
	headerLocation: boolean;
	/** Authentication templates: the index of the code button, which takes the body's code as its URL parameter. */
	otpButton?: number;
	placeholders: Placeholder[];
}

const BRACES = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Meta's placeholders (`{{1}}`, `{{first_name}}`) in a component text, each replaced by its value; a placeholder without one stays. */
export function fillPlaceholders(text: string | undefined, valueOf: (name: string) => string | undefined): string {
	return (text ?? '').replace(BRACES, (whole, name: string) => valueOf(name) ?? whole);
}

/** The placeholder names in a component text, each once; numbered ones in number order as Meta expects. */
function placeholderNames(text: string | undefined): string[] {
	const names = [...new Set([...(text ?? '').matchAll(BRACES)].map((match) => match[1]))];
	return names.every((name) => /^\d+$/.test(name)) ? names.sort((a, b) => Number(a) - Number(b)) : names;
}

export const componentOf = (template: MetaTemplate, type: string): MetaTemplateComponent | undefined =>
	template.components.find((component) => component.type.toUpperCase() === type);

export function templateTitle(template: Pick<MetaTemplate, 'name' | 'language'>): string {
	return `template "${template.name}" (${template.language})`;
}

/** An error for one template send, before any request: the template, what is wrong, and the fix. */
export function templateError(template: MetaTemplate, field: string, problem: string, fix: string): WhatsAppError {
	const title = templateTitle(template);
	const message = `${title[0].toUpperCase()}${title.slice(1)}: ${problem}`;
	return new WhatsAppError(message, { kind: 'validation', field, description: message, fix });
}

function isNamed(template: MetaTemplate, names: string[]): boolean {
	if (template.parameter_format) return template.parameter_format === 'NAMED';
	return names.some((name) => !/^\d+$/.test(name));
}

function textPlaceholders(
	source: 'header' | 'body',
	text: string | undefined,
	title = source === 'header' ? 'Header' : 'Body',
): Placeholder[] {
	return placeholderNames(text).map((name) => ({
		id: `${source}_${name}`,
		label: `${title} {{${name}}}`,
		source,
		name,
		required: true,
	}));
}

function mediaPlaceholders(type: TemplateMediaType): Placeholder[] {
	const label = `Header ${type[0].toUpperCase()}${type.slice(1)}`;
	const media: Placeholder = { id: MEDIA_HEADER_ID, label, source: 'headerMedia', name: type, required: true };
	if (type !== 'document') return [media];
	return [media, { id: HEADER_FILENAME_ID, label: 'Header File Name', source: 'headerFilename', name: 'filename', required: false }];
}

const locationPlaceholders = (): Placeholder[] =>
	(Object.entries(LOCATION_IDS) as Array<[keyof typeof LOCATION_IDS, string]>).map(([name, id]) => ({
		id,
		label: `Location ${name[0].toUpperCase()}${name.slice(1)}`,
		source: 'location',
		name,
		required: name === 'latitude' || name === 'longitude',
	}));

/** The button of an authentication template that carries the one-time code (Meta lists it as URL or OTP, of any otp_type). */
function otpButtonIndex(template: MetaTemplate): number | undefined {
	if (template.category?.toUpperCase() !== 'AUTHENTICATION') return undefined;
	const index = (componentOf(template, 'BUTTONS')?.buttons ?? []).findIndex((button) =>
		['URL', 'OTP', 'COPY_CODE'].includes(button.type.toUpperCase()),
	);
	return index === -1 ? undefined : index;
}

function buttonPlaceholder(button: MetaTemplateButton, index: number): Placeholder | undefined {
	const label = `Button ${index + 1}`;
	const common = { name: String(index), buttonIndex: index, required: true };
	switch (button.type.toUpperCase()) {
		case 'URL':
			return placeholderNames(button.url).length
				? { ...common, id: `button_${index}_url`, label: `${label} URL Suffix`, source: 'urlButton' }
				: undefined;
		case 'QUICK_REPLY':
			return { ...common, id: `button_${index}_payload`, label: `${label} Payload`, source: 'quickReply', required: false };
		case 'COPY_CODE':
			return { ...common, id: `button_${index}_code`, label: `${label} Coupon Code`, source: 'copyCode' };
		default:
			return undefined;
	}
}

/** What a template needs at send time: its placeholders in send order, and the kind of media header if any. */
export function templateShape(template: MetaTemplate): TemplateShape {
	const header = componentOf(template, 'HEADER');
	const body = componentOf(template, 'BODY');
	const format = header?.format?.toLowerCase();
	const headerMedia = format === 'image' || format === 'video' || format === 'document' ? format : undefined;
	const headerLocation = format === 'location';
	const otpButton = otpButtonIndex(template);
	const placeholders: Placeholder[] = [
		...(headerMedia ? mediaPlaceholders(headerMedia) : []),
		...(headerLocation ? locationPlaceholders() : []),
		...(format === 'text' ? textPlaceholders('header', header?.text) : []),
		// An authentication template's code is mapped once, to the body: the code button takes the same value.
		...textPlaceholders('body', body?.text, otpButton === undefined ? 'Body' : 'One-Time Code'),
		...(componentOf(template, 'BUTTONS')?.buttons ?? []).flatMap((button, index) =>
			index === otpButton ? [] : (buttonPlaceholder(button, index) ?? []),
		),
	];
	const named = isNamed(template, [...placeholderNames(header?.text), ...placeholderNames(body?.text)]);
	return { named, headerMedia, headerLocation, otpButton, placeholders };
}
