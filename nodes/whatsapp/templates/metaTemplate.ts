import { WhatsAppError } from '../../../contract/errors';
import type { MetaTemplate, MetaTemplateButton, MetaTemplateComponent } from '../channel/cloudTemplates';
import type { TemplateMediaType } from '../message';

export type PlaceholderSource =
	| 'header'
	| 'headerMedia'
	| 'headerFilename'
	| 'location'
	| 'body'
	| 'urlButton'
	| 'quickReply'
	| 'copyCode'
	| 'flowToken'
	| 'flowData'
	| 'offerExpiration';

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
	/** The carousel card (from 0) the placeholder belongs to; absent for the message's own header, body and buttons. */
	card?: number;
}

/** One card of a carousel template: its position and the kind of its media header. */
export interface CardShape {
	index: number;
	headerMedia?: TemplateMediaType;
}

export interface TemplateShape {
	named: boolean;
	headerMedia?: TemplateMediaType;
	headerLocation: boolean;
	/** Authentication templates: the index of the code button, which takes the body's code as its URL parameter. */
	otpButton?: number;
	/** A limited-time offer template whose offer has an expiration time, given at send time. */
	offerExpiration: boolean;
	/** A carousel template's cards (Meta takes exactly as many as the template defines); empty otherwise. */
	cards: CardShape[];
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

export const componentIn = (components: MetaTemplateComponent[] | undefined, type: string): MetaTemplateComponent | undefined =>
	components?.find((component) => component.type.toUpperCase() === type);

export const componentOf = (template: MetaTemplate, type: string): MetaTemplateComponent | undefined =>
	componentIn(template.components, type);

/** The cards of a carousel template as Meta lists them (each with HEADER, BODY and BUTTONS components). */
export const carouselCards = (template: MetaTemplate): MetaTemplateComponent[][] =>
	(componentOf(template, 'CAROUSEL')?.cards ?? []).map((card) => card.components ?? []);

/** The ID of a limited-time offer's expiration time. */
export const OFFER_EXPIRATION_ID = 'offer_expiration';

/** Where a placeholder sits: the message itself, or one carousel card (IDs `card_0_body_1`, labels `Card 1 Body {{1}}`). */
interface Scope {
	id: string;
	label: string;
	card?: number;
}
const MESSAGE: Scope = { id: '', label: '' };
const cardScope = (index: number): Scope => ({ id: `card_${index}_`, label: `Card ${index + 1} `, card: index });
const inScope = (scope: Scope, placeholder: Placeholder): Placeholder =>
	scope.card === undefined ? placeholder : { ...placeholder, card: scope.card };

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
	scope = MESSAGE,
): Placeholder[] {
	return placeholderNames(text).map((name) =>
		inScope(scope, { id: `${scope.id}${source}_${name}`, label: `${scope.label}${title} {{${name}}}`, source, name, required: true }),
	);
}

function mediaPlaceholders(type: TemplateMediaType, scope = MESSAGE): Placeholder[] {
	const kind = `${type[0].toUpperCase()}${type.slice(1)}`;
	const label = scope.card === undefined ? `Header ${kind}` : `${scope.label}${kind}`;
	const media = inScope(scope, { id: `${scope.id}${MEDIA_HEADER_ID}`, label, source: 'headerMedia', name: type, required: true });
	if (type !== 'document' || scope.card !== undefined) return [media];
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

function buttonPlaceholders(button: MetaTemplateButton, index: number, scope: Scope): Placeholder[] {
	const label = `${scope.label}Button ${index + 1}`;
	const placeholder = (suffix: string, title: string, source: PlaceholderSource, required = true) =>
		inScope(scope, {
			id: `${scope.id}button_${index}_${suffix}`,
			label: `${label} ${title}`,
			source,
			name: String(index),
			buttonIndex: index,
			required,
		});
	switch (button.type.toUpperCase()) {
		case 'URL':
			// A card's label is already longer by "Card 1 ": n8n shows about 25 characters of it.
			return placeholderNames(button.url).length ? [placeholder('url', scope.card === undefined ? 'URL Suffix' : 'URL', 'urlButton')] : [];
		case 'QUICK_REPLY':
			return [placeholder('payload', 'Payload', 'quickReply', false)];
		case 'COPY_CODE':
			return [placeholder('code', 'Coupon Code', 'copyCode')];
		// Both optional: without a token Meta sends "unused", without data the Flow opens on its own first screen.
		case 'FLOW':
			return [placeholder('flow_token', 'Flow Token', 'flowToken', false), placeholder('flow_data', 'Flow Data', 'flowData', false)];
		default:
			return [];
	}
}

function mediaFormat(header: MetaTemplateComponent | undefined): TemplateMediaType | undefined {
	const format = header?.format?.toLowerCase();
	return format === 'image' || format === 'video' || format === 'document' ? format : undefined;
}

/** The placeholders of one card of a carousel: its media header, its body, its buttons. */
function cardPlaceholders(components: MetaTemplateComponent[], index: number): Placeholder[] {
	const scope = cardScope(index);
	const headerMedia = mediaFormat(componentIn(components, 'HEADER'));
	return [
		...(headerMedia ? mediaPlaceholders(headerMedia, scope) : []),
		...textPlaceholders('body', componentIn(components, 'BODY')?.text, 'Body', scope),
		...(componentIn(components, 'BUTTONS')?.buttons ?? []).flatMap((button, buttonIndex) => buttonPlaceholders(button, buttonIndex, scope)),
	];
}

const offerPlaceholder = (): Placeholder => ({
	id: OFFER_EXPIRATION_ID,
	label: 'Offer Expires At',
	source: 'offerExpiration',
	name: 'expiration_time_ms',
	required: true,
});

/** What a template needs at send time: its placeholders in send order, and the kind of media header if any. */
export function templateShape(template: MetaTemplate): TemplateShape {
	const header = componentOf(template, 'HEADER');
	const body = componentOf(template, 'BODY');
	const format = header?.format?.toLowerCase();
	const headerMedia = mediaFormat(header);
	const headerLocation = format === 'location';
	const otpButton = otpButtonIndex(template);
	const offerExpiration = componentOf(template, 'LIMITED_TIME_OFFER')?.limited_time_offer?.has_expiration === true;
	const cards = carouselCards(template);
	const placeholders: Placeholder[] = [
		...(headerMedia ? mediaPlaceholders(headerMedia) : []),
		...(headerLocation ? locationPlaceholders() : []),
		...(format === 'text' ? textPlaceholders('header', header?.text) : []),
		...(offerExpiration ? [offerPlaceholder()] : []),
		// An authentication template's code is mapped once, to the body: the code button takes the same value.
		...textPlaceholders('body', body?.text, otpButton === undefined ? 'Body' : 'One-Time Code'),
		...(componentOf(template, 'BUTTONS')?.buttons ?? []).flatMap((button, index) =>
			index === otpButton ? [] : buttonPlaceholders(button, index, MESSAGE),
		),
		...cards.flatMap((components, index) => cardPlaceholders(components, index)),
	];
	const cardTexts = cards.flatMap((components) => placeholderNames(componentIn(components, 'BODY')?.text));
	const named = isNamed(template, [...placeholderNames(header?.text), ...placeholderNames(body?.text), ...cardTexts]);
	return {
		named,
		headerMedia,
		headerLocation,
		otpButton,
		offerExpiration,
		cards: cards.map((components, index) => ({ index, headerMedia: mediaFormat(componentIn(components, 'HEADER')) })),
		placeholders,
	};
}
