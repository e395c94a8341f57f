import type { INodeProperties } from 'n8n-workflow';
import type { ItemParameters } from '../../../whatsapp/n8n/itemParameters';
import { MEDIA_TYPES, type MediaSource, type MediaType, type OutboundMessage } from '../../../whatsapp/message';
import { show } from './displayOptions';

/**
 * The media sources per backend, one property each (like Template Source): media IDs exist only at Meta, and only
 * the Cloud API uploads a file before sending it (the Lite container gets the file with the message).
 */
const mediaSourceProperties: INodeProperties[] = [
	{
		displayName: 'Media Source',
		name: 'mediaSource',
		type: 'options',
		options: [
			{ name: 'Link', value: 'link', description: 'A public https URL WhatsApp downloads from' },
			{ name: 'Media ID', value: 'id', description: 'The ID of a file uploaded to Meta before' },
			{
				name: 'File From an Earlier Node',
				value: 'binary',
				description: 'A file an earlier node read or downloaded; uploaded to Meta first',
			},
		],
		default: 'link',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], backend: ['cloud'] } },
	},
	{
		displayName: 'Media Source',
		name: 'mediaSource',
		type: 'options',
		options: [
			{ name: 'Link', value: 'link', description: 'A public https URL WhatsApp downloads from' },
			{ name: 'File From an Earlier Node', value: 'binary', description: 'A file an earlier node read or downloaded' },
		],
		default: 'link',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], backend: ['lite'] } },
	},
];

export const description: INodeProperties[] = [
	{
		displayName: 'Media Type',
		name: 'mediaType',
		type: 'options',
		options: MEDIA_TYPES.map((type) => ({ name: type[0].toUpperCase() + type.slice(1), value: type })),
		default: 'image',
		displayOptions: show(['sendMedia']),
	},
	...mediaSourceProperties,
	{
		displayName: 'Media Link',
		name: 'mediaLink',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/photo.jpg',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaSource: ['link'] } },
	},
	{
		displayName: 'Media ID',
		name: 'mediaId',
		type: 'string',
		default: '',
		required: true,
		// Shown on Lite too for a node left on Media ID: the run then says plainly that Lite cannot send by media ID.
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaSource: ['id'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: "Where the earlier node put the file: the name shown on its output's Binary tab, usually data",
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaSource: ['binary'] } },
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		default: '',
		description: 'Up to 1024 characters',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaType: ['image', 'video', 'document'] } },
	},
	{
		displayName: 'File Name',
		name: 'filename',
		type: 'string',
		default: '',
		description: 'The name the recipient sees for the document',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaType: ['document'] } },
	},
	{
		displayName: 'Send as Voice Note',
		name: 'voice',
		type: 'boolean',
		default: false,
		description: 'Whether the audio plays as a voice note (OGG/Opus files)',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaType: ['audio'] } },
	},
];

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

export async function read(parameters: ItemParameters, itemIndex: number): Promise<OutboundMessage> {
	const type = parameters.text('mediaType', itemIndex) as MediaType;
	const captioned = type === 'image' || type === 'video' || type === 'document';
	return {
		type,
		media: await readMediaSource(parameters, itemIndex),
		caption: captioned ? parameters.optionalText('caption', itemIndex) : undefined,
		filename: type === 'document' ? parameters.optionalText('filename', itemIndex) : undefined,
		voice: type === 'audio' ? (parameters.get('voice', itemIndex, false) as boolean) : undefined,
	};
}
