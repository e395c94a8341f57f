import type { MetaTemplate } from '../channel/cloudTemplates';
import { showValue } from '../../../contract/errors';
import {
	LIMITS,
	type MediaSource,
	type TemplateButtonParameter,
	type TemplateCard,
	type TemplateHeader,
	type TemplateLocation,
	type TemplateMessage,
	type TemplateParameter,
} from '../message';
import { cardHeader } from './carousel';
import { flowDataValue, withFlowValue } from './flowButton';
import { offerExpirationValue } from './limitedTimeOffer';
import { LOCALIZED_FORMS, localizedValue, type PlaceholderValue } from './localized';
import {
	HEADER_FILENAME_ID,
	LOCATION_IDS,
	OFFER_EXPIRATION_ID,
	type Placeholder,
	type TemplateShape,
	templateError,
	templateShape,
} from './metaTemplate';
import { renderTemplateText } from './render';

export interface TemplateInput {
	/** Values by placeholder ID (`body_1`, `button_0_url`); empty strings and null count as not given. */
	values: Record<string, unknown>;
	/** Whether a value for a placeholder the template does not have is an error (values mapped one by one) or ignored (values read from the whole item). */
	rejectUnknown: boolean;
	/** The media header, read by the node from the value at MEDIA_HEADER_ID. */
	headerMedia?: MediaSource;
	/** A carousel's card headers by card index, read by the node from the values at `card_<index>_media_header`. */
	cardMedia?: ReadonlyMap<number, MediaSource>;
	/** The time a limited-time offer's expiration must be after (tests pass their own clock). */
	now?: number;
}

export interface PreparedTemplate {
	message: TemplateMessage;
	/** The message as the recipient will read it. */
	renderedText: string;
}

/** Meta refuses text parameters with line breaks, tabs or more than four spaces in a row. */
const UNSENDABLE_TEXT = /[\n\t]| {5,}/;

/** Meta's limit for the one-time code of an authentication template. */
const OTP_CODE_MAX = 15;

function given(value: unknown): value is string | number | boolean {
	return value !== undefined && value !== null && value !== '';
}

function listOf(placeholders: Placeholder[]): string {
	return placeholders.map((placeholder) => placeholder.label).join(', ') || 'none';
}

/** Values for placeholders this template does not have: a mix-up of named and numbered ones, or a leftover. */
function checkUnknown(template: MetaTemplate, shape: TemplateShape, values: Record<string, unknown>) {
	const known = new Set(shape.placeholders.map((placeholder) => placeholder.id));
	const fix = `Map values only to this template's placeholders: ${listOf(shape.placeholders)}`;
	for (const [id, value] of Object.entries(values)) {
		if (known.has(id) || !given(value)) continue;
		const text = /^(header|body)_(\w+)$/.exec(id);
		const numbered = text && /^\d+$/.test(text[2]);
		if (text && numbered === shape.named) {
			const [mine, theirs] = shape.named ? ['named', 'numbered'] : ['numbered', 'named'];
			throw templateError(
				template,
				id,
				`uses ${mine} placeholders, but a value was given for the ${theirs} placeholder {{${text[2]}}} in the ${text[1]}`,
				fix,
			);
		}
		throw templateError(
			template,
			id,
			`has no placeholder "${id}", but it was given the value ${showValue(value)}`,
			`${fix}; remove the others (they may be left from another template)`,
		);
	}
}

function checkHeaderMedia(template: MetaTemplate, shape: TemplateShape, media: MediaSource | undefined) {
	if (shape.headerMedia && !media) {
		const label = shape.placeholders.find((placeholder) => placeholder.source === 'headerMedia' && placeholder.card === undefined)?.label;
		throw templateError(
			template,
			'Header Media',
			`has ${shape.headerMedia === 'image' ? 'an' : 'a'} ${shape.headerMedia} header, but no ${shape.headerMedia} was given`,
			`Map a public link, a media ID or the name of a binary field holding the ${shape.headerMedia} to "${label}" under Template Parameters`,
		);
	}
	if (!shape.headerMedia && media) {
		throw templateError(
			template,
			'Header Media',
			'has no media header, but header media was given',
			'Remove the header media value for this template',
		);
	}
}

function valueFor(template: MetaTemplate, placeholder: Placeholder, value: unknown, now: number): PlaceholderValue | undefined {
	if (!given(value)) {
		if (!placeholder.required) return undefined;
		throw templateError(
			template,
			placeholder.id,
			`placeholder ${placeholder.label} has no value`,
			`Map a value to "${placeholder.label}" under Template Parameters, e.g. {{ $json.someField }}`,
		);
	}
	if (placeholder.source === 'flowData') return flowDataValue(template, placeholder, value);
	if (placeholder.source === 'offerExpiration') return offerExpirationValue(template, placeholder, value, now);
	const localized = placeholder.source === 'body' ? localizedValue(template, placeholder, value) : undefined;
	if (typeof value === 'object' && !localized) {
		const fix =
			placeholder.source === 'body'
				? `Map a text or a number, or a currency or date-time value: ${LOCALIZED_FORMS}`
				: 'Map a text or a number, e.g. {{ $json.customer.name }}';
		throw templateError(template, placeholder.id, `placeholder ${placeholder.label} was given an object (${showValue(value)})`, fix);
	}
	const text = localized?.text ?? String(value);
	if ((placeholder.source === 'body' || placeholder.source === 'header') && UNSENDABLE_TEXT.test(text)) {
		throw templateError(
			template,
			placeholder.id,
			`placeholder ${placeholder.label} value ${showValue(text)} has a line break, a tab or more than four spaces in a row, which WhatsApp refuses in parameters`,
			'Replace line breaks and tabs with spaces, e.g. {{ $json.text.replace(/\\s+/g, " ") }}',
		);
	}
	return localized ?? { text };
}

function toParameter(shape: TemplateShape, placeholder: Placeholder, value: PlaceholderValue | undefined): TemplateParameter {
	const parameter: TemplateParameter = { text: value?.text ?? '', ...(value?.localized && { localized: value.localized }) };
	return shape.named ? { name: placeholder.name, ...parameter } : parameter;
}

function coordinate(
	template: MetaTemplate,
	shape: TemplateShape,
	filled: ReadonlyMap<string, PlaceholderValue>,
	name: 'latitude' | 'longitude',
): number {
	const placeholder = shape.placeholders.find((candidate) => candidate.id === LOCATION_IDS[name]);
	const text = filled.get(LOCATION_IDS[name])?.text.trim() ?? '';
	const number = /^[-+]?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
	const limit = name === 'latitude' ? 90 : 180;
	if (!(Math.abs(number) <= limit)) {
		throw templateError(
			template,
			LOCATION_IDS[name],
			`placeholder ${placeholder?.label} value ${showValue(text)} is not a ${name}`,
			`Map a number from -${limit} to ${limit} in decimal degrees, e.g. {{ $json.store.${name} }}`,
		);
	}
	return number;
}

/** The LOCATION header's place: coordinates in range, name and address when given. */
function locationOf(template: MetaTemplate, shape: TemplateShape, filled: ReadonlyMap<string, PlaceholderValue>): TemplateLocation {
	const name = filled.get(LOCATION_IDS.name)?.text;
	const address = filled.get(LOCATION_IDS.address)?.text;
	return {
		latitude: coordinate(template, shape, filled, 'latitude'),
		longitude: coordinate(template, shape, filled, 'longitude'),
		...(name && { name }),
		...(address && { address }),
	};
}

/** An authentication template's code goes into its body and, as the URL parameter, into its code button. */
function otpButton(
	template: MetaTemplate,
	shape: TemplateShape,
	filled: ReadonlyMap<string, PlaceholderValue>,
): (TemplateButtonParameter & { subType: 'url' }) | undefined {
	if (shape.otpButton === undefined) return undefined;
	const placeholder = shape.placeholders.find((candidate) => candidate.source === 'body');
	const code = placeholder ? (filled.get(placeholder.id)?.text ?? '') : '';
	if (!placeholder || [...code].length > OTP_CODE_MAX) {
		throw templateError(
			template,
			placeholder?.id ?? 'body',
			placeholder
				? `one-time code ${showValue(code)} is longer than the ${OTP_CODE_MAX} characters WhatsApp allows`
				: 'is an authentication template without a {{1}} code in its body',
			placeholder
				? `Map a code of at most ${OTP_CODE_MAX} characters to "${placeholder.label}"`
				: 'Pick an authentication template created in WhatsApp Manager with a code button',
		);
	}
	return { index: shape.otpButton, subType: 'url', text: code };
}

function headerLabel(shape: TemplateShape, location: TemplateLocation | undefined): string | undefined {
	if (shape.headerMedia) return `[${shape.headerMedia}]`;
	if (!location) return undefined;
	return `[location: ${[location.name, location.address].filter(Boolean).join(', ') || `${location.latitude}, ${location.longitude}`}]`;
}

function toButton(placeholder: Placeholder, text: string): TemplateButtonParameter {
	const index = placeholder.buttonIndex ?? 0;
	if (placeholder.source === 'quickReply') return { index, subType: 'quick_reply', payload: text };
	if (placeholder.source === 'copyCode') return { index, subType: 'copy_code', couponCode: text };
	return { index, subType: 'url', text };
}

/** The button parameters of the message or of one card, one per button (a Flow button's token and data together). */
function buttonsOf(placeholders: Placeholder[], filled: ReadonlyMap<string, PlaceholderValue>): TemplateButtonParameter[] {
	const buttons = new Map<number, TemplateButtonParameter>();
	for (const placeholder of placeholders) {
		const value = placeholder.buttonIndex === undefined ? undefined : filled.get(placeholder.id);
		if (!value || placeholder.buttonIndex === undefined) continue;
		const flow = placeholder.source === 'flowToken' || placeholder.source === 'flowData';
		const earlier = buttons.get(placeholder.buttonIndex);
		buttons.set(
			placeholder.buttonIndex,
			flow ? withFlowValue(earlier?.subType === 'flow' ? earlier : undefined, placeholder, value.text) : toButton(placeholder, value.text),
		);
	}
	return [...buttons.values()];
}

/** The placeholders of the message itself (no card) or of one carousel card. */
const partOf = (shape: TemplateShape, card?: number) => shape.placeholders.filter((placeholder) => placeholder.card === card);

function parametersOf(
	shape: TemplateShape,
	placeholders: Placeholder[],
	source: 'header' | 'body',
	filled: ReadonlyMap<string, PlaceholderValue>,
): TemplateParameter[] {
	return placeholders
		.filter((placeholder) => placeholder.source === source)
		.map((placeholder) => toParameter(shape, placeholder, filled.get(placeholder.id)));
}

function cardsOf(
	template: MetaTemplate,
	shape: TemplateShape,
	filled: ReadonlyMap<string, PlaceholderValue>,
	media: ReadonlyMap<number, MediaSource> | undefined,
): TemplateCard[] {
	return shape.cards.map((card) => {
		const placeholders = partOf(shape, card.index);
		return {
			index: card.index,
			header: cardHeader(template, shape, card, media?.get(card.index)),
			body: parametersOf(shape, placeholders, 'body', filled),
			buttons: buttonsOf(placeholders, filled),
		};
	});
}

/**
 * Checks the values for one send against the template (every placeholder filled, nothing extra, the named or
 * numbered form the template was created with, its media header) and builds the message Meta expects. Fails
 * with an error naming the template, the placeholder and the fix, before any request.
 */
export function prepareTemplate(template: MetaTemplate, input: TemplateInput): PreparedTemplate {
	const shape = templateShape(template);
	if (input.rejectUnknown) checkUnknown(template, shape, input.values);
	checkHeaderMedia(template, shape, input.headerMedia);
	const filled = new Map<string, PlaceholderValue>();
	for (const placeholder of shape.placeholders) {
		if (placeholder.source === 'headerMedia') continue;
		const value = valueFor(template, placeholder, input.values[placeholder.id], input.now ?? Date.now());
		if (value !== undefined) filled.set(placeholder.id, value);
	}
	const own = partOf(shape);
	const headerParameters = parametersOf(shape, own, 'header', filled);
	const filename = filled.get(HEADER_FILENAME_ID)?.text;
	const header: TemplateHeader | undefined =
		input.headerMedia && shape.headerMedia
			? { type: shape.headerMedia, media: input.headerMedia, ...(filename && { filename }) }
			: headerParameters.length
				? { type: 'text', parameters: headerParameters }
				: undefined;
	const headerLocation = shape.headerLocation ? locationOf(template, shape, filled) : undefined;
	const otp = otpButton(template, shape, filled);
	const buttons = [...buttonsOf(own, filled), ...(otp ? [otp] : [])].sort((a, b) => a.index - b.index);
	const cards = cardsOf(template, shape, filled, input.cardMedia);
	const expiration = filled.get(OFFER_EXPIRATION_ID);
	const texts = new Map([...filled].map(([id, value]) => [id, value.text]));
	const rendered = renderTemplateText(template, texts, {
		header: headerLabel(shape, headerLocation),
		otp: otp && { index: otp.index, code: otp.text },
		cardHeaders: cards.map((card) => `[${card.header.type}]`),
	});
	if (!shape.headerMedia && !headerLocation && [...rendered.header].length > LIMITS.headerText) {
		throw templateError(
			template,
			'header',
			`header "${rendered.header}" is longer than the ${LIMITS.headerText} characters WhatsApp allows`,
			'Map a shorter value to the header placeholder',
		);
	}
	return {
		message: {
			type: 'template',
			name: template.name,
			language: template.language,
			...(template.category && { category: template.category }),
			...(header && { header }),
			...(headerLocation && { headerLocation }),
			body: parametersOf(shape, own, 'body', filled),
			buttons,
			...(expiration && { limitedTimeOffer: { expirationTimeMs: Number(expiration.text) } }),
			...(cards.length && { cards }),
		},
		renderedText: rendered.text,
	};
}
