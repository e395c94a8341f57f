import type { ILoadOptionsFunctions, INodeListSearchResult, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';
import type { Backend } from '../whatsapp/channel/types';
import { DEFAULT_RETRY_POLICY } from '../whatsapp/delivery/retry';
import { isWhatsAppError } from '../../contract/errors';
import { channelFromContext } from '../whatsapp/n8n/channels';
import { toNodeError } from '../whatsapp/n8n/nodeErrors';
import { parseTemplateReference, TemplateCatalog, templateChoices } from '../whatsapp/templates/catalog';
import type { MetaTemplate } from '../whatsapp/channel/cloudTemplates';
import { type Placeholder, templateShape } from '../whatsapp/templates/metaTemplate';
import { placeholderLabel } from './placeholderHints';

async function catalogFor(context: ILoadOptionsFunctions): Promise<TemplateCatalog> {
	const backend = context.getNodeParameter('backend', 'cloud') as Backend;
	return new TemplateCatalog(await channelFromContext(context, backend), DEFAULT_RETRY_POLICY);
}

/** Runs a loader, showing an engine error with its fix in the editor. */
async function loading<T>(context: ILoadOptionsFunctions, load: () => Promise<T>): Promise<T> {
	try {
		return await load();
	} catch (error) {
		throw toNodeError(context.getNode(), error, 0);
	}
}

export const listSearch = {
	/** The account's templates (all pages), approved ones unless "Show Non-Approved Templates" is on. */
	async searchTemplates(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return await loading(this, async () => {
			const templates = await (await catalogFor(this)).all();
			const includeNonApproved = this.getNodeParameter('listNonApproved', false) as boolean;
			return { results: templateChoices(templates, { filter, includeNonApproved }) };
		});
	},
};

/** A placeholder as the panel shows it: its short label, with Meta's example where it fits. */
function placeholderField(template: MetaTemplate, placeholder: Placeholder): ResourceMapperField {
	return {
		id: placeholder.id,
		displayName: placeholderLabel(template, placeholder),
		required: placeholder.required,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type: 'string',
	};
}

/**
 * A failed load comes back as the mapper's notice, which n8n shows in place of the fields: thrown, the panel showed
 * only the "no placeholders" text (and n8n answered the editor with HTTP 500), hiding what was wrong and the fix.
 */
function loadFailureNotice(error: unknown): string {
	return isWhatsAppError(error) ? `⚠ ${error.message}. ${error.fix}` : `⚠ ${error instanceof Error ? error.message : String(error)}`;
}

const NO_PLACEHOLDERS = 'This template has no placeholders: it is sent as it is';
const PICK_A_TEMPLATE = 'Pick a template above: its placeholders then show here';
const TEMPLATE_BY_EXPRESSION =
	'The template comes from an expression, so it is known only per item. Choose Map Automatically: each placeholder then comes from the item field named like it (body_1, header_1, button_0_url …)';

export const resourceMapping = {
	/** One field per placeholder of the chosen template, named as the template names it. */
	async getTemplatePlaceholders(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
		// Read unevaluated: a template given by expression is known only per item, its values then come from the item (auto-map).
		const value = String((this.getCurrentNodeParameter('template') as { value?: unknown } | undefined)?.value ?? '');
		if (!value) return { fields: [], emptyFieldsNotice: PICK_A_TEMPLATE };
		if (value.startsWith('=')) return { fields: [], emptyFieldsNotice: TEMPLATE_BY_EXPRESSION };
		try {
			const template = await (await catalogFor(this)).find(parseTemplateReference(value));
			const fields = templateShape(template).placeholders.map((placeholder) => placeholderField(template, placeholder));
			return { fields, emptyFieldsNotice: NO_PLACEHOLDERS };
		} catch (error) {
			return { fields: [], emptyFieldsNotice: loadFailureNotice(error) };
		}
	},
};
