import type { INodeParameters } from 'n8n-workflow';
import { binaryItem, nodeError, runSend, TO, useBackends } from './fixtures';

const backends = useBackends();

const runLite = (parameters: INodeParameters, items?: Parameters<typeof runSend>[2], extra?: Parameters<typeof runSend>[3]) =>
	runSend(backends(), { backend: 'lite', recipient: TO, ...parameters }, items, extra);

/** The bodies the fake container received on POST /api/send-message. */
const liteBodies = () =>
	backends()
		.lite.requests.filter((request) => request.path === '/api/send-message')
		.map((request) => request.body);

const GROUP = '120363025246125486@g.us';
const OGG = { data: Buffer.from('OggS\x00\x02fake opus', 'latin1'), mimeType: 'audio/ogg; codecs=opus', fileName: 'note.ogg' };

/** [what, node parameters, the exact body of POST /api/send-message]. */
const messages: Array<[string, INodeParameters, Record<string, unknown>]> = [
	['text', { operation: 'sendText', text: 'Hello from Lite' }, { number: TO, message: 'Hello from Lite' }],
	[
		'text replying to a message',
		{ operation: 'sendText', text: 'Yes', options: { replyTo: 'true_4915123456789@c.us_Q1' } },
		{ number: TO, message: 'Yes', quotedMessageId: 'true_4915123456789@c.us_Q1' },
	],
	['text to a group chat', { operation: 'sendText', recipient: GROUP, text: 'Hi all' }, { number: GROUP, message: 'Hi all' }],
	[
		'image by URL with caption',
		{ operation: 'sendMedia', mediaType: 'image', mediaLink: 'https://cdn.example.com/a.jpg', caption: 'Shop' },
		{ number: TO, imageUrl: 'https://cdn.example.com/a.jpg', message: 'Shop' },
	],
	[
		'video by URL',
		{ operation: 'sendMedia', mediaType: 'video', mediaLink: 'https://cdn.example.com/a.mp4' },
		{ number: TO, videoUrl: 'https://cdn.example.com/a.mp4' },
	],
	[
		'audio by URL as voice note',
		{ operation: 'sendMedia', mediaType: 'audio', mediaLink: 'https://cdn.example.com/a.ogg', voice: true },
		{ number: TO, audioUrl: 'https://cdn.example.com/a.ogg', sendAudioAsVoice: true },
	],
	[
		'document by URL with file name',
		{
			operation: 'sendMedia',
			mediaType: 'document',
			mediaLink: 'https://cdn.example.com/i.pdf',
			filename: 'invoice.pdf',
			caption: 'Invoice',
		},
		{ number: TO, documentUrl: 'https://cdn.example.com/i.pdf', filename: 'invoice.pdf', message: 'Invoice' },
	],
	[
		'sticker by URL',
		{ operation: 'sendMedia', mediaType: 'sticker', mediaLink: 'https://cdn.example.com/s.webp' },
		{ number: TO, stickerUrl: 'https://cdn.example.com/s.webp' },
	],
	[
		'location',
		{ operation: 'sendLocation', latitude: 52.52, longitude: 13.405, locationName: 'Alexanderplatz', address: 'Berlin' },
		{ number: TO, location: { latitude: 52.52, longitude: 13.405, name: 'Alexanderplatz', address: 'Berlin' } },
	],
	[
		'reaction',
		{ operation: 'sendReaction', messageId: 'true_4915123456789@c.us_M1', emoji: '👍' },
		{ number: TO, reaction: { messageId: 'true_4915123456789@c.us_M1', emoji: '👍' } },
	],
];

test.each(messages)('Lite: %s is sent with the exact body of the Lite contract', async (_what, parameters, body) => {
	const run = await runLite(parameters);

	expect(run.error).toBeUndefined();
	expect(liteBodies()).toEqual([body]);
	const chatId = String(body.number).includes('@') ? body.number : `${body.number}@c.us`;
	// waId reads as on the Cloud API: a person's digits, a group's chat ID.
	expect(run.items).toEqual([
		{
			json: expect.objectContaining({ messageId: `true_${chatId}_LITE0001`, waId: body.number, backend: 'lite', status: 'accepted' }),
			pairedItem: { item: 0 },
		},
	]);
});

test('Lite: a voice note from a binary property goes inline as base64 with its MIME type and file name', async () => {
	const run = await runLite(
		{ operation: 'sendMedia', mediaType: 'audio', mediaSource: 'binary', binaryPropertyName: 'data', voice: true },
		[binaryItem(OGG)],
	);

	expect(run.error).toBeUndefined();
	expect(liteBodies()).toEqual([
		{
			number: TO,
			sendAudioAsVoice: true,
			mediaType: 'audio',
			media: { data: OGG.data.toString('base64'), mimetype: OGG.mimeType, filename: 'note.ogg' },
		},
	]);
});

test('Lite: a document from a binary property carries the file name given in the node', async () => {
	const run = await runLite(
		{ operation: 'sendMedia', mediaType: 'document', mediaSource: 'binary', binaryPropertyName: 'data', filename: 'renamed.ogg' },
		[binaryItem(OGG)],
	);

	expect(run.error).toBeUndefined();
	expect(liteBodies()).toEqual([
		{
			number: TO,
			filename: 'renamed.ogg',
			mediaType: 'document',
			media: { data: OGG.data.toString('base64'), mimetype: OGG.mimeType, filename: 'renamed.ogg' },
		},
	]);
});

test.each([
	['without', false],
	['with', true],
])('Lite: mark as read %s typing indicator names the chat', async (_what, typingIndicator) => {
	const run = await runLite({ operation: 'markAsRead', messageId: 'true_4915123456789@c.us_M1', chatId: TO, typingIndicator });

	expect(run.error).toBeUndefined();
	expect(backends().lite.requests.map((request) => [request.path, request.body])).toEqual([
		['/api/mark-read', { messageId: 'true_4915123456789@c.us_M1', chatId: TO, typing: typingIndicator }],
	]);
	expect(run.items[0].json).toEqual({ messageId: 'true_4915123456789@c.us_M1', backend: 'lite', status: 'read', typingIndicator });
});

const interactive: Array<[string, INodeParameters, string]> = [
	[
		'reply buttons',
		{
			operation: 'sendButtons',
			header: 'Order 42',
			body: 'Deliver when?',
			footer: 'Reply with the number',
			buttons: {
				button: [
					{ title: 'Today', id: 't' },
					{ title: 'Tomorrow', id: 'm' },
				],
			},
		},
		'*Order 42*\nDeliver when?\n\n1. Today\n2. Tomorrow\n\n_Reply with the number_',
	],
	[
		'a list',
		{
			operation: 'sendList',
			body: 'Pick a slot',
			buttonText: 'Slots',
			rows: {
				row: [
					{ title: 'Mon 9:00', id: 'a', description: 'Morning' },
					{ title: 'Tue 9:00', id: 'b' },
				],
			},
		},
		'Pick a slot\n\n1. Mon 9:00 – Morning\n2. Tue 9:00',
	],
	[
		'a CTA URL button',
		{ operation: 'sendCtaUrl', body: 'Your invoice', displayText: 'Open', url: 'https://example.com/i/42' },
		'Your invoice\n\nOpen: https://example.com/i/42',
	],
];

test.each(interactive)('Lite: %s fails clearly by default, before any request', async (_what, parameters) => {
	const run = await runLite(parameters);

	expect(nodeError(run).message).toMatch(/^The Lite container cannot send (reply button|list|CTA URL button) messages$/);
	expect(nodeError(run).description).toContain('Set "Interactive Messages on Lite" to "Send as Text With Numbered Choices"');
	expect(backends().lite.requests).toEqual([]);
});

test.each(interactive)('Lite: %s is sent as text with numbered choices when the option says so', async (_what, parameters, text) => {
	const run = await runLite({ ...parameters, options: { unsupportedInteractive: 'sendAsText' } });

	expect(run.error).toBeUndefined();
	expect(liteBodies()).toEqual([{ number: TO, message: text }]);
	expect(run.items[0].json).toMatchObject({ type: 'text', status: 'accepted' });
});

test('Lite: media by WhatsApp media ID is refused before any request, with the way out', async () => {
	const run = await runLite({ operation: 'sendMedia', mediaType: 'image', mediaSource: 'id', mediaId: '1234567890' });

	expect(nodeError(run).message).toBe('The Lite container cannot send media by WhatsApp media ID');
	expect(nodeError(run).description).toContain('Send the media by link or from a binary property');
	expect(backends().lite.requests).toEqual([]);
});

test('Lite: media by ID in item 2 stops the node before item 1 is sent', async () => {
	const run = await runLite(
		{
			operation: 'sendMedia',
			recipient: '={{ $json.to }}',
			mediaType: 'image',
			mediaSource: '={{ $json.source }}',
			mediaLink: 'https://cdn.example.com/a.jpg',
			mediaId: '1234567890',
		},
		[{ json: { to: TO, source: 'link' } }, { json: { to: '4915199999999', source: 'id' } }],
	);

	expect(nodeError(run).message).toBe('The Lite container cannot send media by WhatsApp media ID');
	expect(nodeError(run).context?.itemIndex).toBe(1);
	expect(backends().lite.requests).toEqual([]);
});

test('Lite: "Add Random Reference" makes every text and caption of a segment different, and leaves other messages alone', async () => {
	const items = ['1', '2', '3'].map((digit) => ({ json: { phone: `+491512345000${digit}` } }));
	await runLite(
		{ operation: 'sendText', recipient: '={{ $json.phone }}', text: 'Spring sale!', options: { randomReference: true } },
		items,
	);
	await runLite({
		operation: 'sendMedia',
		mediaType: 'image',
		mediaLink: 'https://cdn.example.com/a.jpg',
		caption: 'Shop',
		options: { randomReference: true },
	});
	await runLite({ operation: 'sendLocation', latitude: 1, longitude: 2, options: { randomReference: true } });

	const [first, second, third, image, location] = liteBodies();
	const texts = [first, second, third].map((body) => String((body as { message: string }).message));
	texts.forEach((text) => expect(text).toMatch(/^Spring sale!\n\nRef\. [0-9A-F]{6}$/));
	expect(new Set(texts).size).toBe(3);
	expect(image).toMatchObject({ message: expect.stringMatching(/^Shop\n\nRef\. [0-9A-F]{6}$/) });
	expect(location).toEqual({ number: TO, location: { latitude: 1, longitude: 2 } });
});
