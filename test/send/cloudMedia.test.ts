import type { INodeParameters } from 'n8n-workflow';
import { binaryItem, cloudEnvelope, messageBodies, PHONE_NUMBER_ID, runSend, TO, useBackends } from './fixtures';

const backends = useBackends();

/** [what, media type, node parameters beyond the source, what Meta's body carries besides `id`/`link`]. */
const mediaTypes: Array<[string, string, INodeParameters, Record<string, unknown>]> = [
	['image with caption', 'image', { caption: 'Our new shop' }, { caption: 'Our new shop' }],
	['video with caption', 'video', { caption: 'Tour' }, { caption: 'Tour' }],
	['audio as voice note', 'audio', { voice: true }, { voice: true }],
	['audio as a file', 'audio', { voice: false }, {}],
	[
		'document with caption and file name',
		'document',
		{ caption: 'Invoice 42', filename: 'invoice-42.pdf' },
		{ caption: 'Invoice 42', filename: 'invoice-42.pdf' },
	],
	['sticker', 'sticker', {}, {}],
];

const sources: Array<[string, INodeParameters, Record<string, string>]> = [
	['link', { mediaSource: 'link', mediaLink: 'https://cdn.example.com/file' }, { link: 'https://cdn.example.com/file' }],
	['media ID', { mediaSource: 'id', mediaId: '1234567890' }, { id: '1234567890' }],
];

const cases = sources.flatMap(([sourceName, source, reference]) =>
	mediaTypes.map(
		([what, mediaType, parameters, body]) =>
			[what, sourceName, mediaType, { mediaType, ...source, ...parameters }, { ...reference, ...body }] as const,
	),
);

test.each(cases)('Cloud API: %s by %s is sent with the exact body Meta expects', async (_what, _source, mediaType, parameters, body) => {
	const run = await runSend(backends(), { operation: 'sendMedia', recipient: TO, ...parameters });

	expect(run.error).toBeUndefined();
	expect(messageBodies(backends().graph)).toEqual([cloudEnvelope(mediaType, body)]);
	expect(backends().graph.uploads).toEqual([]);
});

const PDF = { data: Buffer.from('%PDF-1.4 fake invoice \x00\xff bytes', 'latin1'), mimeType: 'application/pdf', fileName: 'invoice.pdf' };
const PNG = {
	data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]),
	mimeType: 'image/png',
	fileName: 'photo.png',
};

test('Cloud API: an image from a binary property is uploaded as multipart first, then sent by the returned media ID', async () => {
	const run = await runSend(
		backends(),
		{ operation: 'sendMedia', recipient: TO, mediaType: 'image', mediaSource: 'binary', binaryPropertyName: 'photo', caption: 'Look' },
		[binaryItem(PNG, 'photo')],
	);

	expect(run.error).toBeUndefined();
	const { graph } = backends();
	expect(graph.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
		`POST /v23.0/${PHONE_NUMBER_ID}/media`,
		`POST /v23.0/${PHONE_NUMBER_ID}/messages`,
	]);
	expect(graph.uploads).toEqual([
		{
			id: graph.uploads[0].id,
			fields: { messaging_product: 'whatsapp', type: 'image/png' },
			file: { fileName: 'photo.png', contentType: 'image/png', data: PNG.data },
		},
	]);
	expect(messageBodies(graph)).toEqual([cloudEnvelope('image', { id: graph.uploads[0].id, caption: 'Look' })]);
});

test('Cloud API: a document from a binary property keeps the file name of the binary data when no file name is given', async () => {
	const run = await runSend(
		backends(),
		{ operation: 'sendMedia', recipient: TO, mediaType: 'document', mediaSource: 'binary', binaryPropertyName: 'data' },
		[binaryItem(PDF)],
	);

	expect(run.error).toBeUndefined();
	const { graph } = backends();
	expect(graph.uploads.map((upload) => upload.file)).toEqual([{ fileName: 'invoice.pdf', contentType: 'application/pdf', data: PDF.data }]);
	expect(messageBodies(graph)).toEqual([cloudEnvelope('document', { id: graph.uploads[0].id, filename: 'invoice.pdf' })]);
});

test('Cloud API: a missing binary property is refused before any request, naming the property', async () => {
	const run = await runSend(
		backends(),
		{ operation: 'sendMedia', recipient: TO, mediaType: 'image', mediaSource: 'binary', binaryPropertyName: 'photo' },
		[binaryItem(PNG, 'data')],
	);

	expect(run.error?.message).toMatch(/photo/);
	expect(backends().graph.requests).toEqual([]);
});
