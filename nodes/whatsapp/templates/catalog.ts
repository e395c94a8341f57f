import { assertCarries } from '../channel/capabilities';
import type { Channel } from '../channel/types';
import { withRetries, type RetryPolicy } from '../delivery/retry';
import { invalidInput, WhatsAppError } from '../../../contract/errors';
import type { MetaTemplate } from '../channel/cloudTemplates';
import { templateTitle } from './metaTemplate';

export interface TemplateReference {
	name: string;
	language: string;
}

/** The form a template is picked or written in: `order_update:en_US`. */
function templateValue(template: TemplateReference): string {
	return `${template.name}:${template.language}`;
}

export function parseTemplateReference(value: unknown): TemplateReference {
	const match = /^\s*([^:\s]+):([A-Za-z_]+)\s*$/.exec(String(value ?? ''));
	if (!match) {
		throw invalidInput(
			'Template',
			value,
			'is not a template name and language code',
			'Pick a template from the list, or write it as name:language, e.g. order_update:en_US',
		);
	}
	return { name: match[1], language: match[2] };
}

const STATUS_FIXES: Record<string, string> = {
	PENDING: 'Wait until Meta has reviewed it, or pick an approved template',
	REJECTED: 'Edit the template in WhatsApp Manager and submit it again, or pick an approved one',
	PAUSED: 'Meta paused it for low quality: improve it in WhatsApp Manager, or pick another template',
	DISABLED: 'Meta disabled it: pick another template',
};

/**
 * The account's templates, read once per execution (all pages) and shared by every item, so a campaign of
 * thousands of items makes one listing, not thousands.
 */
export class TemplateCatalog {
	private templates?: Promise<MetaTemplate[]>;
	/** When the listing was asked for (epoch ms): what it says is at least this fresh (see delivery/templateHealth.ts). */
	listedAt = 0;

	constructor(
		private readonly channel: Channel,
		private readonly policy: RetryPolicy,
	) {}

	async all(): Promise<MetaTemplate[]> {
		assertCarries(this.channel, 'template');
		const channel = this.channel;
		if (!this.templates) this.listedAt = Date.now();
		this.templates ??= withRetries(async () => (await channel.listTemplates?.()) ?? [], this.policy, { idempotent: true }).then(
			(listed) => listed.value,
		);
		return await this.templates;
	}

	/** The approved template with this name and language, or an error saying what exists instead. */
	async find(reference: TemplateReference): Promise<MetaTemplate> {
		const templates = await this.all();
		const title = templateTitle(reference);
		const template = templates.find((candidate) => candidate.name === reference.name && candidate.language === reference.language);
		if (!template) {
			const languages = templates.filter((candidate) => candidate.name === reference.name).map((candidate) => candidate.language);
			throw languages.length
				? invalidInput(
						'Template',
						templateValue(reference),
						`does not exist in ${reference.language}; ${reference.name} exists in ${languages.join(', ')}`,
						`Use one of those language codes, e.g. ${reference.name}:${languages[0]}`,
					)
				: invalidInput(
						'Template',
						templateValue(reference),
						'does not exist in this WhatsApp Business Account',
						'Pick a template from the list (names are lowercase with underscores)',
					);
		}
		if (template.status !== 'APPROVED') {
			throw new WhatsAppError(`The ${title} is ${template.status}: WhatsApp sends only approved templates`, {
				kind: 'validation',
				field: 'Template',
				description: `Meta's review status of the ${title} is ${template.status}`,
				fix: STATUS_FIXES[template.status] ?? 'Pick an approved template',
			});
		}
		return template;
	}
}

export interface TemplateChoice {
	name: string;
	value: string;
	description: string;
}

const capitalised = (word: string | undefined) => (word ? word[0].toUpperCase() + word.slice(1).toLowerCase() : '');

/** The templates matching a search text, as list entries: name, language, category and (unless approved) status. */
export function templateChoices(templates: MetaTemplate[], options: { filter?: string; includeNonApproved: boolean }): TemplateChoice[] {
	const filter = options.filter?.trim().toLowerCase() ?? '';
	return templates
		.filter((template) => options.includeNonApproved || template.status === 'APPROVED')
		.filter((template) => !filter || `${template.name} ${template.language}`.toLowerCase().includes(filter))
		.sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language))
		.map((template) => {
			const status = template.status === 'APPROVED' ? '' : ` · ${capitalised(template.status)}`;
			return {
				name: `${template.name} (${template.language}) · ${capitalised(template.category)}${status}`,
				value: templateValue(template),
				description: `${capitalised(template.category)} template in ${template.language}, ${template.status.toLowerCase()}`,
			};
		});
}
