import { showValue, WhatsAppError } from '../errors';
import { LIMITS, type MediaSource, type TemplateButtonParameter, type TemplateHeader, type TemplateMessage, type TemplateParameter } from '../message';
import { type MetaTemplate, type Placeholder, type TemplateShape, templateShape, templateTitle } from './metaTemplate';
import { renderTemplateText } from './render';

export interface TemplateInput {
	/** Values by placeholder ID (`body_1`, `button_0_url`); empty strings and null count as not given. */
	values: Record<string, unknown>;
	/** Whether a value for a placeholder the template does not have is an error (values mapped one by one) or ignored (values read from the whole item). */
	rejectUnknown: boolean;
	/** The media header, read by the node from the value at MEDIA_HEADER_ID. */
	headerMedia?: MediaSource;
}

export interface PreparedTemplate {
	message: TemplateMessage;
	/** The message as the recipient will read it. */
	renderedText: string;
}

/** Meta refuses text parameters with line breaks, tabs or more than four spaces in a row. */
const UNSENDABLE_TEXT = /[\n\t]| {5,}/;

function templateError(template: MetaTemplate, field: string, problem: string, fix: string): WhatsAppError {
	const title = templateTitle(template);
	const message = `${title[0].toUpperCase()}${title.slice(1)}: ${problem}`;
	return new WhatsAppError(message, { kind: 'validation', field, description: message, fix });
}

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
			throw templateError(template, id, `uses ${mine} placeholders, but a value was given for the ${theirs} placeholder {{${text[2]}}} in the ${text[1]}`, fix);
		}
		throw templateError(template, id, `has no placeholder "${id}", but it was given the value ${showValue(value)}`, `${fix}; remove the others (they may be left from another template)`);
	}
}

function checkHeaderMedia(template: MetaTemplate, shape: TemplateShape, media: MediaSource | undefined) {
	if (shape.headerMedia && !media) {
		const label = shape.placeholders.find((placeholder) => placeholder.source === 'headerMedia')?.label;
		throw templateError(
			template,
			'Header Media',
			`has ${shape.headerMedia === 'image' ? 'an' : 'a'} ${shape.headerMedia} header, but no ${shape.headerMedia} was given`,
			`Map a public link, a media ID or the name of a binary field holding the ${shape.headerMedia} to "${label}" under Template Parameters`,
		);
	}
	if (!shape.headerMedia && media) {
		throw templateError(template, 'Header Media', 'has no media header, but header media was given', 'Remove the header media value for this template');
	}
}

function valueFor(template: MetaTemplate, placeholder: Placeholder, value: unknown): string | undefined {
	if (!given(value)) {
		if (!placeholder.required) return undefined;
		throw templateError(template, placeholder.id, `placeholder ${placeholder.label} has no value`, `Map a value to "${placeholder.label}" under Template Parameters, e.g. {{ $json.someField }}`);
	}
	if (typeof value === 'object') {
		throw templateError(template, placeholder.id, `placeholder ${placeholder.label} was given an object (${showValue(value)})`, 'Map a text or a number, e.g. {{ $json.customer.name }}');
	}
	const text = String(value);
	if ((placeholder.source === 'body' || placeholder.source === 'header') && UNSENDABLE_TEXT.test(text)) {
		throw templateError(
			template,
			placeholder.id,
			`placeholder ${placeholder.label} value ${showValue(text)} has a line break, a tab or more than four spaces in a row, which WhatsApp refuses in parameters`,
			'Replace line breaks and tabs with spaces, e.g. {{ $json.text.replace(/\\s+/g, " ") }}',
		);
	}
	return text;
}

function toParameter(shape: TemplateShape, placeholder: Placeholder, text: string): TemplateParameter {
	return shape.named ? { name: placeholder.name, text } : { text };
}

function toButton(placeholder: Placeholder, text: string): TemplateButtonParameter {
	const index = placeholder.buttonIndex ?? 0;
	if (placeholder.source === 'quickReply') return { index, subType: 'quick_reply', payload: text };
	if (placeholder.source === 'copyCode') return { index, subType: 'copy_code', couponCode: text };
	return { index, subType: 'url', text };
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
	const filled = new Map<string, string>();
	for (const placeholder of shape.placeholders) {
		if (placeholder.source === 'headerMedia') continue;
		const text = valueFor(template, placeholder, input.values[placeholder.id]);
		if (text !== undefined) filled.set(placeholder.id, text);
	}
	const parametersOf = (source: 'header' | 'body') =>
		shape.placeholders.filter((placeholder) => placeholder.source === source).map((placeholder) => toParameter(shape, placeholder, filled.get(placeholder.id) ?? ''));
	const headerParameters = parametersOf('header');
	const header: TemplateHeader | undefined =
		input.headerMedia && shape.headerMedia
			? { type: shape.headerMedia, media: input.headerMedia }
			: headerParameters.length
				? { type: 'text', parameters: headerParameters }
				: undefined;
	const buttons = shape.placeholders.flatMap((placeholder) =>
		placeholder.buttonIndex !== undefined && filled.has(placeholder.id) ? [toButton(placeholder, filled.get(placeholder.id) ?? '')] : [],
	);
	const rendered = renderTemplateText(template, filled, shape.headerMedia);
	if ([...rendered.header].length > LIMITS.headerText) {
		throw templateError(template, 'header', `header "${rendered.header}" is longer than the ${LIMITS.headerText} characters WhatsApp allows`, 'Map a shorter value to the header placeholder');
	}
	return {
		message: { type: 'template', name: template.name, language: template.language, ...(header && { header }), body: parametersOf('body'), buttons },
		renderedText: rendered.text,
	};
}
