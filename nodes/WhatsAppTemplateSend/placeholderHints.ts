import type { MetaTemplate, MetaTemplateComponent } from '../whatsapp/channel/cloudTemplates';
import { componentOf, type Placeholder } from '../whatsapp/templates/metaTemplate';

/** Meta's `example` of a template component, as the templates listing returns it. */
interface ComponentExample {
	header_text?: string[];
	body_text?: string[][];
	header_text_named_params?: Array<{ param_name: string; example: string }>;
	body_text_named_params?: Array<{ param_name: string; example: string }>;
}

/** Words shown around a placeholder, so "{{2}}" reads as "your order {{2}} ships". */
const WORDS_AROUND = 2;

const BRACES = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The words around placeholder `name`, the other placeholders filled with their examples: "Hi Ada, your order {{2}} ships…". */
function excerptAround(text: string | undefined, name: string, exampleOf: (name: string) => string | undefined): string | undefined {
	if (!text) return undefined;
	const filled = text.replace(BRACES, (match, other: string) => (other === name ? `{{${name}}}` : (exampleOf(other) ?? match)));
	const words = filled.split(/\s+/);
	const at = words.findIndex((word) => word.includes(`{{${name}}}`));
	if (at === -1) return undefined;
	const from = Math.max(0, at - WORDS_AROUND);
	const to = Math.min(words.length, at + WORDS_AROUND + 1);
	return `${from > 0 ? '…' : ''}${words.slice(from, to).join(' ')}${to < words.length ? '…' : ''}`;
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

function buttonExample(template: MetaTemplate, placeholder: Placeholder): string | undefined {
	const button = componentOf(template, 'BUTTONS')?.buttons?.[placeholder.buttonIndex ?? -1] as { example?: unknown } | undefined;
	const example = Array.isArray(button?.example) ? button.example[0] : button?.example;
	return typeof example === 'string' ? example : undefined;
}

/** Where a placeholder sits in the template's text, and the example value Meta approved the template with. */
export function placeholderContext(template: MetaTemplate, placeholder: Placeholder): { excerpt?: string; example?: string } {
	switch (placeholder.source) {
		case 'header':
		case 'body': {
			const source = placeholder.source;
			const component = componentOf(template, source.toUpperCase());
			const exampleOf = (name: string) => textExample(component, source, name);
			return { excerpt: excerptAround(component?.text, placeholder.name, exampleOf), example: exampleOf(placeholder.name) };
		}
		case 'urlButton':
			return {
				excerpt: componentOf(template, 'BUTTONS')?.buttons?.[placeholder.buttonIndex ?? -1]?.url,
				example: buttonExample(template, placeholder),
			};
		case 'copyCode':
			return { example: buttonExample(template, placeholder) };
		default:
			return {};
	}
}
