import type { IDataObject } from 'n8n-workflow';
import { invalidInput } from '../../contract/errors';
import type { ContactCard, MediaSource, MediaType, OutboundMessage } from '../whatsapp/message';
import type { ItemParameters } from '../whatsapp/n8n/itemParameters';
import { errorMessage } from '../../contract/log';

type Read = (parameters: ItemParameters, itemIndex: number) => Promise<OutboundMessage> | OutboundMessage;

function collection(parameters: ItemParameters, name: string, entry: string, itemIndex: number): IDataObject[] {
	const value = parameters.get(name, itemIndex, {}) as IDataObject;
	return (value?.[entry] as IDataObject[] | undefined) ?? [];
}

async function readMediaSource(parameters: ItemParameters, itemIndex: number): Promise<MediaSource> {
	const source = parameters.text('mediaSource', itemIndex);
	if (source === 'link') return { link: parameters.text('mediaLink', itemIndex).trim() };
	if (source === 'id') return { id: parameters.text('mediaId', itemIndex).trim() };
	const property = parameters.text('binaryPropertyName', itemIndex);
	const { helpers } = parameters.context;
	const binary = helpers.assertBinaryData(itemIndex, property);
	const data = await helpers.getBinaryDataBuffer(itemIndex, property);
	return { binary: { data, mimeType: binary.mimeType, fileName: binary.fileName } };
}

function interactiveFrame(parameters: ItemParameters, itemIndex: number) {
	return {
		body: parameters.text('body', itemIndex),
		header: parameters.optionalText('header', itemIndex),
		footer: parameters.optionalText('footer', itemIndex),
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
export type SendOperation =
	| 'sendText'
	| 'sendMedia'
	| 'sendLocation'
	| 'sendContacts'
	| 'sendButtons'
	| 'sendList'
	| 'sendCtaUrl'
	| 'sendFlow'
	| 'sendReaction';

/** A Flow's first-screen data: an object, its JSON text, or nothing; other values are refused when the message is checked. */
function flowData(value: unknown): Record<string, unknown> | undefined {
	if (value === '' || value === undefined || value === null) return undefined;
	if (typeof value !== 'string') return value as Record<string, unknown>;
	try {
		return JSON.parse(value) as Record<string, unknown>;
	} catch (error) {
		throw invalidInput(
			'Screen Data',
			value,
			`is not valid JSON (${errorMessage(error)})`,
			'Give an object, e.g. { "customer_name": "Ada" }',
		);
	}
}

/** One reader per operation: the node's parameters for one item as a backend-neutral message. */
const readers: Record<SendOperation, Read> = {
	sendText: (parameters, itemIndex) => ({
		type: 'text',
		text: parameters.text('text', itemIndex),
		previewUrl: parameters.get('previewUrl', itemIndex, false) as boolean,
	}),
	sendMedia: async (parameters, itemIndex) => {
		const type = parameters.text('mediaType', itemIndex) as MediaType;
		const captioned = type === 'image' || type === 'video' || type === 'document';
		return {
			type,
			media: await readMediaSource(parameters, itemIndex),
			caption: captioned ? parameters.optionalText('caption', itemIndex) : undefined,
			filename: type === 'document' ? parameters.optionalText('filename', itemIndex) : undefined,
			voice: type === 'audio' ? (parameters.get('voice', itemIndex, false) as boolean) : undefined,
		};
	},
	sendLocation: (parameters, itemIndex) => ({
		type: 'location',
		latitude: Number(parameters.get('latitude', itemIndex)),
		longitude: Number(parameters.get('longitude', itemIndex)),
		name: parameters.optionalText('locationName', itemIndex),
		address: parameters.optionalText('address', itemIndex),
	}),
	sendContacts: (parameters, itemIndex) => ({
		type: 'contacts',
		contacts: collection(parameters, 'contacts', 'contact', itemIndex).map(contactCard),
	}),
	sendButtons: (parameters, itemIndex) => ({
		type: 'buttons',
		...interactiveFrame(parameters, itemIndex),
		buttons: collection(parameters, 'buttons', 'button', itemIndex).map((button) => ({
			id: String(button.id ?? ''),
			title: String(button.title ?? ''),
		})),
	}),
	sendList: (parameters, itemIndex) => ({
		type: 'list',
		...interactiveFrame(parameters, itemIndex),
		buttonText: parameters.text('buttonText', itemIndex),
		sections: listSections(collection(parameters, 'rows', 'row', itemIndex)),
	}),
	sendCtaUrl: (parameters, itemIndex) => ({
		type: 'cta_url',
		...interactiveFrame(parameters, itemIndex),
		displayText: parameters.text('displayText', itemIndex),
		url: parameters.text('url', itemIndex).trim(),
	}),
	sendFlow: (parameters, itemIndex) => ({
		type: 'flow',
		...interactiveFrame(parameters, itemIndex),
		flow:
			parameters.text('flowBy', itemIndex) === 'name'
				? { name: parameters.text('flowName', itemIndex).trim() }
				: { id: parameters.text('flowId', itemIndex).trim() },
		cta: parameters.text('flowCta', itemIndex),
		token: parameters.optionalText('flowCorrelation', itemIndex),
		screen: parameters.optionalText('flowScreen', itemIndex),
		data: flowData(parameters.get('flowData', itemIndex, '')),
	}),
	sendReaction: (parameters, itemIndex) => ({
		type: 'reaction',
		messageId: parameters.text('messageId', itemIndex).trim(),
		emoji: parameters.text('emoji', itemIndex),
	}),
};

function isSendOperation(operation: string): operation is SendOperation {
	return Object.prototype.hasOwnProperty.call(readers, operation);
}

export async function readMessage(parameters: ItemParameters, operation: string, itemIndex: number): Promise<OutboundMessage> {
	if (!isSendOperation(operation)) throw new Error(`Unknown operation "${operation}"`);
	return await readers[operation](parameters, itemIndex);
}
