import type { ILoadOptionsFunctions, INodeListSearchResult, ResourceMapperFields } from 'n8n-workflow';
import type { Backend } from '../whatsapp/channel/types';
import { DEFAULT_RETRY_POLICY } from '../whatsapp/delivery/retry';
import { channelFromContext } from '../whatsapp/n8n/channels';
import { toNodeError } from '../whatsapp/n8n/nodeErrors';
import { parseTemplateReference, TemplateCatalog, templateChoices } from '../whatsapp/templates/catalog';
import { templateShape } from '../whatsapp/templates/metaTemplate';

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

export const resourceMapping = {
	/** One field per placeholder of the chosen template, named as the template names it. */
	async getTemplatePlaceholders(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
		// Read unevaluated: a template given by expression is known only per item, its values then come from the item (auto-map).
		const value = String((this.getCurrentNodeParameter('template') as { value?: unknown } | undefined)?.value ?? '');
		if (!value || value.startsWith('=')) return { fields: [] };
		return await loading(this, async () => {
			const template = await (await catalogFor(this)).find(parseTemplateReference(value));
			const fields = templateShape(template).placeholders.map((placeholder) => ({
				id: placeholder.id,
				displayName: placeholder.label,
				required: placeholder.required,
				defaultMatch: false,
				canBeUsedToMatch: false,
				display: true,
				type: 'string' as const,
			}));
			return { fields };
		});
	},
};
