import type { MetaTemplate, MetaTemplateComponent } from '../whatsapp/channel/cloudTemplates';
import { carouselCards, componentIn, type Placeholder } from '../whatsapp/templates/metaTemplate';

/** Meta's `example` of a template component, as the templates listing returns it. */
interface ComponentExample {
	header_text?: string[];
	body_text?: string[][];
	header_text_named_params?: Array<{ param_name: string; example: string }>;
	body_text_named_params?: Array<{ param_name: string; example: string }>;
}

function textExample(component: MetaTemplateComponent | undefined, source: 'header' | 'body', name: string): string | undefined {
	const example = (component as { example?: ComponentExample } | undefined)?.example;
	if (!example) return undefined;
	const named = source === 'header' ? example.header_text_named_params : example.body_text_named_params;
	const byName = named?.find((param) => param.param_name === name)?.example;
	if (byName !== undefined || !/^\d+$/.test(name)) return byName;
	const positional = source === 'header' ? example.header_text : example.body_text?.[0];
	return positional?.[Number(name) - 1];
}

function buttonExample(component: MetaTemplateComponent | undefined, placeholder: Placeholder): string | undefined {
	const button = component?.buttons?.[placeholder.buttonIndex ?? -1] as { example?: unknown } | undefined;
	const example = Array.isArray(button?.example) ? button.example[0] : button?.example;
	return typeof example === 'string' ? example : undefined;
}

/** The example value Meta approved the template with, for a placeholder (a card's from that card). */
function placeholderExample(template: MetaTemplate, placeholder: Placeholder): string | undefined {
	const components = placeholder.card === undefined ? template.components : (carouselCards(template)[placeholder.card] ?? []);
	const component = (type: string) => componentIn(components, type);
	switch (placeholder.source) {
		case 'header':
		case 'body':
			return textExample(component(placeholder.source.toUpperCase()), placeholder.source, placeholder.name);
		case 'urlButton':
		case 'copyCode':
			return buttonExample(component('BUTTONS'), placeholder);
		default:
			return undefined;
	}
}

/**
 * n8n 2.x shows about this many characters of a placeholder's label, then cuts it without a tooltip (1.x too in a
 * narrow panel); a placeholder field can have no hint or description. Meta's example joins the label only when the
 * whole stays readable.
 */
const READABLE_LABEL = 22;

/** A placeholder's label in the panel: `Body {{1}} · e.g. Ada` when that fits, else `Body {{1}}`. */
export function placeholderLabel(template: MetaTemplate, placeholder: Placeholder): string {
	const example = placeholderExample(template, placeholder);
	const withExample = `${placeholder.label} · e.g. ${example}`;
	return example && withExample.length <= READABLE_LABEL ? withExample : placeholder.label;
}
