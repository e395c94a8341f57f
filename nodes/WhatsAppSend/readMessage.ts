import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { ContactCard, MediaSource, MediaType, OutboundMessage } from '../whatsapp/message';
import { itemParameters } from '../whatsapp/n8n/itemParameters';

type Read = (context: IExecuteFunctions, itemIndex: number) => Promise<OutboundMessage> | OutboundMessage;

/** Parameters without an expression are read once per execution (itemParameters.ts). */
const parameter = (context: IExecuteFunctions, name: string, itemIndex: number, fallback?: unknown): unknown => itemParameters(context).get(name, itemIndex, fallback);

const text = (context: IExecuteFunctions, name: string, itemIndex: number): string => itemParameters(context).text(name, itemIndex);

const optionalText = (context: IExecuteFunctions, name: string, itemIndex: number): string | undefined =>
	text(context, name, itemIndex).trim() || undefined;

function collection(context: IExecuteFunctions, name: string, entry: string, itemIndex: number): IDataObject[] {
	const value = parameter(context, name, itemIndex, {}) as IDataObject;
	return (value?.[entry] as IDataObject[] | undefined) ?? [];
}

async function readMediaSource(context: IExecuteFunctions, itemIndex: number): Promise<MediaSource> {
	const source = text(context, 'mediaSource', itemIndex);
	if (source === 'link') return { link: text(context, 'mediaLink', itemIndex).trim() };
	if (source === 'id') return { id: text(context, 'mediaId', itemIndex).trim() };
	const property = text(context, 'binaryPropertyName', itemIndex);
	const binary = context.helpers.assertBinaryData(itemIndex, property);
	const data = await context.helpers.getBinaryDataBuffer(itemIndex, property);
	return { binary: { data, mimeType: binary.mimeType, fileName: binary.fileName } };
}

function interactiveFrame(context: IExecuteFunctions, itemIndex: number) {
	return {
		body: text(context, 'body', itemIndex),
		header: optionalText(context, 'header', itemIndex),
		footer: optionalText(context, 'footer', itemIndex),
	};
}

function listSections(rows: IDataObject[]) {
	const sections = new Map<string, Array<{ id: string; title: string; description?: string }>>();
	for (const row of rows) {
		const section = String(row.section ?? '');
		const sectionRows = sections.get(section) ?? [];
		sectionRows.push({ id: String(row.id ?? ''), title: String(row.title ?? ''), description: String(row.description ?? '') || undefined });
		sections.set(section, sectionRows);
	}
	return [...sections].map(([title, sectionRows]) => ({ title: title || undefined, rows: sectionRows }));
}

function contactCard(contact: IDataObject): ContactCard {
	const value = (key: string) => (contact[key] ? String(contact[key]) : undefined);
	const phone = value('phone');
	const email = value('email');
	const url = value('url');
	const company = value('company');
	return {
		name: { formatted_name: value('formattedName') ?? '', first_name: value('firstName'), last_name: value('lastName') },
		...(phone && { phones: [{ phone, type: value('phoneType') }] }),
		...(email && { emails: [{ email }] }),
		...(url && { urls: [{ url }] }),
		...(company && { org: { company } }),
	};
}

/** The message operations of the Send node (its Operation options). */
export type SendOperation = 'sendText' | 'sendMedia' | 'sendLocation' | 'sendContacts' | 'sendButtons' | 'sendList' | 'sendCtaUrl' | 'sendReaction';

/** One reader per operation: the node's parameters for one item as a backend-neutral message. */
const readers: Record<SendOperation, Read> = {
	sendText: (context, itemIndex) => ({ type: 'text', text: text(context, 'text', itemIndex), previewUrl: parameter(context, 'previewUrl', itemIndex, false) as boolean }),
	sendMedia: async (context, itemIndex) => {
		const type = text(context, 'mediaType', itemIndex) as MediaType;
		const captioned = type === 'image' || type === 'video' || type === 'document';
		return {
			type,
			media: await readMediaSource(context, itemIndex),
			caption: captioned ? optionalText(context, 'caption', itemIndex) : undefined,
			filename: type === 'document' ? optionalText(context, 'filename', itemIndex) : undefined,
			voice: type === 'audio' ? (parameter(context, 'voice', itemIndex, false) as boolean) : undefined,
		};
	},
	sendLocation: (context, itemIndex) => ({
		type: 'location',
		latitude: Number(parameter(context, 'latitude', itemIndex)),
		longitude: Number(parameter(context, 'longitude', itemIndex)),
		name: optionalText(context, 'locationName', itemIndex),
		address: optionalText(context, 'address', itemIndex),
	}),
	sendContacts: (context, itemIndex) => ({ type: 'contacts', contacts: collection(context, 'contacts', 'contact', itemIndex).map(contactCard) }),
	sendButtons: (context, itemIndex) => ({
		type: 'buttons',
		...interactiveFrame(context, itemIndex),
		buttons: collection(context, 'buttons', 'button', itemIndex).map((button) => ({ id: String(button.id ?? ''), title: String(button.title ?? '') })),
	}),
	sendList: (context, itemIndex) => ({
		type: 'list',
		...interactiveFrame(context, itemIndex),
		buttonText: text(context, 'buttonText', itemIndex),
		sections: listSections(collection(context, 'rows', 'row', itemIndex)),
	}),
	sendCtaUrl: (context, itemIndex) => ({
		type: 'cta_url',
		...interactiveFrame(context, itemIndex),
		displayText: text(context, 'displayText', itemIndex),
		url: text(context, 'url', itemIndex).trim(),
	}),
	sendReaction: (context, itemIndex) => ({ type: 'reaction', messageId: text(context, 'messageId', itemIndex).trim(), emoji: text(context, 'emoji', itemIndex) }),
};

function isSendOperation(operation: string): operation is SendOperation {
	return Object.prototype.hasOwnProperty.call(readers, operation);
}

export async function readMessage(context: IExecuteFunctions, operation: string, itemIndex: number): Promise<OutboundMessage> {
	if (!isSendOperation(operation)) throw new Error(`Unknown operation "${operation}"`);
	return await readers[operation](context, itemIndex);
}
