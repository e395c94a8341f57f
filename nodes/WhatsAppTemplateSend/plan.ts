import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { adaptToChannel } from '../whatsapp/channel/capabilities';
import type { Channel } from '../whatsapp/channel/types';
import { invalidInput } from '../../contract/errors';
import { type MediaSource, type OutboundMessage, type TemplateMediaType, validateMessage } from '../whatsapp/message';
import { type ItemReader, itemReader } from '../whatsapp/n8n/itemReader';
import type { PlannedItem } from '../whatsapp/n8n/runItems';
import { addressOf as recipientAddress, parseRecipientOrBsuid } from '../whatsapp/identity';
import { placeholderEvaluatedByN8n } from '../../contract/automator';
import { parseTemplateReference, type TemplateCatalog } from '../whatsapp/templates/catalog';
import { type MissingValues, renderLocalTemplate } from '../whatsapp/templates/local';
import { MEDIA_HEADER_ID } from '../whatsapp/templates/metaTemplate';
import { prepareTemplate } from '../whatsapp/templates/parameters';

export interface TemplateSendRun {
	context: IExecuteFunctions;
	channel: Channel;
	/** Shared by all items of the execution, so the templates are listed once. */
	catalog: TemplateCatalog;
	/** Found once per execution (the raw parameters are the same for every item): see placeholderTakenByN8n. */
	placeholderTakenByN8n?: PlaceholderTakenByN8n;
}

interface ReadTemplate {
	message: OutboundMessage;
	details: IDataObject;
}

/** A media header given as a public link, a media ID, or the name of one of the item's binary fields. */
async function headerMedia(context: IExecuteFunctions, itemIndex: number, reference: unknown): Promise<MediaSource | undefined> {
	const value = String(reference ?? '').trim();
	if (!value) return undefined;
	if (/^https?:\/\//i.test(value)) return { link: value };
	if (/^\d+$/.test(value)) return { id: value };
	const binary = context.getInputData()[itemIndex]?.binary?.[value];
	if (!binary) {
		throw invalidInput(
			'Header Media',
			value,
			'is neither an http(s) link, a media ID (digits) nor a binary field of this item',
			'Map a public https link, a media ID, or the name of the binary field holding the file (e.g. data)',
		);
	}
	const data = await context.helpers.getBinaryDataBuffer(itemIndex, value);
	return { binary: { data, mimeType: binary.mimeType, fileName: binary.fileName } };
}

const CARD_MEDIA = new RegExp(`^card_(\\d+)_${MEDIA_HEADER_ID}$`);

/** A carousel's card headers, by card index, each given like a media header. */
async function cardMedia(context: IExecuteFunctions, itemIndex: number, values: IDataObject): Promise<Map<number, MediaSource>> {
	const media = new Map<number, MediaSource>();
	for (const [id, value] of Object.entries(values)) {
		const card = CARD_MEDIA.exec(id)?.[1];
		const source = card === undefined ? undefined : await headerMedia(context, itemIndex, value);
		if (source) media.set(Number(card), source);
	}
	return media;
}

/** The Use Marketing Messages API switch, which an expression may set per item. */
function useMarketingMessages(item: ItemReader): boolean {
	const value = item.value('marketingMessages', false);
	if (typeof value !== 'boolean')
		throw invalidInput(
			'Use Marketing Messages API',
			value,
			'is not true or false',
			'Turn it on or off, or make its expression give a boolean',
		);
	return value;
}

async function readMetaTemplate({ context, catalog }: TemplateSendRun, item: ItemReader, itemIndex: number): Promise<ReadTemplate> {
	const reference = parseTemplateReference(item.value('template', '', { extractValue: true }));
	const template = await catalog.find(reference);
	const autoMap = item.value('templateParameters.mappingMode', 'defineBelow') === 'autoMapInputData';
	const values = autoMap ? context.getInputData()[itemIndex].json : ((item.value('templateParameters.value', {}) ?? {}) as IDataObject);
	const prepared = prepareTemplate(template, {
		values,
		rejectUnknown: !autoMap,
		headerMedia: await headerMedia(context, itemIndex, values[MEDIA_HEADER_ID]),
		cardMedia: await cardMedia(context, itemIndex, values),
	});
	const approved = template.id ? { templateId: String(template.id), listedAt: catalog.listedAt } : undefined;
	const marketingMessages = useMarketingMessages(item) && { ttlSeconds: template.message_send_ttl_seconds };
	return {
		message: { ...prepared.message, ...(approved && { approved }), ...(marketingMessages && { marketingMessages }) },
		details: { template: template.name, language: template.language, renderedText: prepared.renderedText },
	};
}

/** The fields of a text template that hold placeholders, by parameter name. */
const PLACEHOLDER_FIELDS = { textTemplate: 'Text Template', mediaUrl: 'Media URL' };

interface PlaceholderTakenByN8n {
	field: string;
	placeholder: string;
}

/**
 * A placeholder written in an n8n expression without its escape: n8n has already filled it with nothing, so the
 * message would silently lack it.
 */
export function placeholderTakenByN8n(context: IExecuteFunctions): PlaceholderTakenByN8n | undefined {
	for (const [name, field] of Object.entries(PLACEHOLDER_FIELDS)) {
		const raw = context.getNode().parameters[name];
		const placeholder = typeof raw === 'string' && raw.startsWith('=') ? placeholderEvaluatedByN8n(raw) : undefined;
		if (placeholder) return { field, placeholder };
	}
	return undefined;
}

function readTextTemplate(
	{ context, placeholderTakenByN8n: taken }: TemplateSendRun,
	item: ItemReader,
	itemIndex: number,
): ReadTemplate | { skipped: string } {
	if (taken)
		throw invalidInput(
			taken.field,
			taken.placeholder,
			'is in an expression, so n8n evaluated it itself (to nothing) before the node could fill it',
			`Write it as \\${taken.placeholder} (n8n leaves \\{{ to the node), or switch ${taken.field} back to Fixed`,
		);
	const rendering = renderLocalTemplate(
		{
			text: item.text('textTemplate'),
			mediaUrl: item.optionalText('mediaUrl'),
			mediaType: item.text('mediaType') as TemplateMediaType,
			missingValues: item.text('missingValues') as MissingValues,
			randomString: item.value('randomString', false) as boolean,
		},
		context.getInputData()[itemIndex].json,
	);
	if ('skipped' in rendering) return rendering;
	return { message: rendering.message, details: { renderedText: rendering.renderedText } };
}

/** Reads, fills and checks one item's template message: a send, a preview, or a skip with its reason. */
export async function planTemplateItem(run: TemplateSendRun, itemIndex: number): Promise<PlannedItem> {
	const item = itemReader(run.context, itemIndex);
	const to = parseRecipientOrBsuid(item.value('recipient'), (item.value('options', {}) as IDataObject).recipientUserId);
	const read =
		item.text('templateSource') === 'meta' ? await readMetaTemplate(run, item, itemIndex) : readTextTemplate(run, item, itemIndex);
	if ('skipped' in read) return { kind: 'result', json: { status: 'skipped', reason: read.skipped, to: recipientAddress(to) } };
	validateMessage(read.message);
	const envelope = adaptToChannel({ to, message: read.message }, run.channel, 'fail');
	if (item.value('operation') === 'preview') {
		return { kind: 'result', json: { status: 'preview', to: recipientAddress(to), type: read.message.type, ...read.details } };
	}
	return { kind: 'send', envelope, details: read.details };
}
