import type { INodeParameters } from 'n8n-workflow';
import { messageBodies, nodeError, runSend, TO, useBackends } from './fixtures';

const backends = useBackends();

const buttons = (...titles: string[]) => ({ button: titles.map((title, index) => ({ title, id: `b${index + 1}` })) });
/** A mapped value that came out empty (n8n itself refuses a required field left empty in the editor). */
const EMPTY = '={{ "" }}';
const rows = (count: number, title = (index: number) => `Row ${index + 1}`) => ({
	row: Array.from({ length: count }, (_, index) => ({ title: title(index), id: `r${index + 1}` })),
});

/** [what, node parameters, the error message (field and value), a piece of the fix]. None of them may reach Meta. */
const invalid: Array<[string, INodeParameters, string, string]> = [
	[
		'a recipient too short',
		{ operation: 'sendText', recipient: '+49 151', text: 'Hi' },
		'Recipient "+49 151" is too short (5 digits, at least 7 with the country code)',
		'with country code',
	],
	[
		'a recipient too long',
		{ operation: 'sendText', recipient: '+49 1512 3456 7890 123', text: 'Hi' },
		'Recipient "+49 1512 3456 7890 123" is too long (17 digits, at most 15)',
		'with country code',
	],
	[
		'a recipient with letters',
		{ operation: 'sendText', recipient: '+49 151 CALL-ME', text: 'Hi' },
		'Recipient "+49 151 CALL-ME" is not a phone number (only digits, spaces, dots, dashes, parentheses and a leading + or 00 are allowed)',
		'e.g. +4915123456789',
	],
	['an empty recipient', { operation: 'sendText', recipient: EMPTY, text: 'Hi' }, 'Recipient "" is empty', 'with country code'],
	['an empty text', { operation: 'sendText', text: EMPTY }, 'Text "" is empty', 'Enter the message text'],
	[
		'a text over 4096 characters',
		{ operation: 'sendText', text: 'x'.repeat(4097) },
		`Text "${'x'.repeat(57)}..." is 4097 characters long, more than the 4096 WhatsApp allows`,
		'split it into several messages',
	],
	[
		'a caption over 1024 characters',
		{ operation: 'sendMedia', mediaType: 'image', mediaLink: 'https://cdn.example.com/a.jpg', caption: 'c'.repeat(1025) },
		`Caption "${'c'.repeat(57)}..." is 1025 characters long, more than the 1024 WhatsApp allows`,
		'Shorten it to 1024 characters or fewer',
	],
	[
		'an empty media link',
		{ operation: 'sendMedia', mediaType: 'image', mediaSource: 'link', mediaLink: EMPTY },
		'Media "nothing" must be exactly one of a link, a media ID or a binary property',
		'Choose one media source',
	],
	[
		'a media link that is not a URL',
		{ operation: 'sendMedia', mediaType: 'image', mediaLink: 'cdn/a.jpg' },
		'Media Link "cdn/a.jpg" is not an http(s) URL',
		'https://example.com/file.jpg',
	],
	[
		'a button title over 20 characters',
		{ operation: 'sendButtons', body: 'Pick', buttons: buttons('Yes', 'A title far too long!!') },
		'Button 2 Title "A title far too long!!" is 22 characters long, more than the 20 WhatsApp allows',
		'Shorten it to 20',
	],
	[
		'two buttons with the same title',
		{ operation: 'sendButtons', body: 'Pick', buttons: buttons('Yes', 'Yes') },
		'Button 2 Title "Yes" is used by another button',
		'different title',
	],
	[
		'four buttons',
		{ operation: 'sendButtons', body: 'Pick', buttons: buttons('A', 'B', 'C', 'D') },
		'Buttons "4 buttons" is not allowed: reply buttons take 1 to 3',
		'Use a list message',
	],
	[
		'no buttons',
		{ operation: 'sendButtons', body: 'Pick', buttons: {} },
		'Buttons "0 buttons" is not allowed: reply buttons take 1 to 3',
		'Use a list message',
	],
	[
		'an empty button title',
		{ operation: 'sendButtons', body: 'Pick', buttons: buttons(EMPTY) },
		'Button 1 Title "" is empty',
		'Give every button a title',
	],
	[
		'an empty body on buttons',
		{ operation: 'sendButtons', body: EMPTY, buttons: buttons('Yes') },
		'Body Text "" is empty',
		'Enter the text shown above the buttons',
	],
	[
		'11 list rows',
		{ operation: 'sendList', body: 'Pick', buttonText: 'Choose', rows: rows(11) },
		'List Rows "11 rows" is not allowed: a list holds 1 to 10 rows in all sections together',
		'split the choices over two messages',
	],
	[
		'a list row title over 24 characters',
		{
			operation: 'sendList',
			body: 'Pick',
			buttonText: 'Choose',
			rows: rows(2, (index) => (index ? 'A row title that is too long' : 'Fine')),
		},
		'Row 2 Title "A row title that is too long" is 28 characters long, more than the 24 WhatsApp allows',
		'Shorten it to 24',
	],
	[
		'an empty list button text',
		{ operation: 'sendList', body: 'Pick', buttonText: EMPTY, rows: rows(1) },
		'List Button Text "" is empty',
		'Enter the label of the button that opens the list',
	],
	[
		'a CTA URL that is not http(s)',
		{ operation: 'sendCtaUrl', body: 'Open', displayText: 'Go', url: 'ftp://example.com' },
		'Button URL "ftp://example.com" is not an http(s) URL',
		'full public link',
	],
	[
		'a contact without a name',
		{ operation: 'sendContacts', contacts: { contact: [{ formattedName: EMPTY, phone: '+4915123456789' }] } },
		'Contact 1 Formatted Name "" is empty',
		'Every contact card needs a name',
	],
	[
		'a reaction without message ID',
		{ operation: 'sendReaction', messageId: EMPTY, emoji: '👍' },
		'Message ID "" is empty',
		'wamid of the message to react to',
	],
	[
		'a mark as read without message ID',
		{ operation: 'markAsRead', messageId: EMPTY },
		'Message ID "" is empty',
		'Map the ID of the received message',
	],
	['a latitude out of range', { operation: 'sendLocation', latitude: 91, longitude: 0 }, 'Latitude 91 is not a latitude', 'from -90 to 90'],
];

test.each(invalid)('refuses %s before any request, naming field, value and fix', async (_what, parameters, message, fix) => {
	const run = await runSend(backends(), { recipient: TO, ...parameters });

	const error = nodeError(run);
	expect(error.message).toBe(message);
	expect(error.description?.split('. Fix: ')[1]).toContain(fix);
	expect(backends().graph.requests).toEqual([]);
});

test.each(invalid)(
	'with continueOnFail, %s becomes an error item with field, description and fix',
	async (_what, parameters, message, fix) => {
		const run = await runSend(backends(), { recipient: TO, ...parameters }, undefined, { continueOnFail: true });

		expect(run.items).toEqual([
			{
				json: expect.objectContaining({
					status: 'failed',
					error: expect.objectContaining({ kind: 'validation', message, fix: expect.stringContaining(fix), field: expect.any(String) }),
				}),
				pairedItem: { item: 0 },
			},
		]);
		expect(backends().graph.requests).toEqual([]);
	},
);

test.each([
	['spaces and a plus', '+49 151 2345 6789'],
	['dashes and parentheses', '+49 (151) 2345-6789'],
	['a leading 00', '0049 151 23456789'],
	['a WhatsApp chat ID', '4915123456789@c.us'],
])('a recipient written with %s is sent as digits only', async (_what, recipient) => {
	await runSend(backends(), { operation: 'sendText', recipient, text: 'Hi' });

	expect(messageBodies(backends().graph)).toEqual([expect.objectContaining({ to: TO })]);
});

const threeRecipients = [{ json: { to: '4915100000001' } }, { json: { to: '4915100000002' } }, { json: { to: '12' } }];

test('an invalid item 3 stops the node before items 1 and 2 are sent', async () => {
	const run = await runSend(backends(), { operation: 'sendText', recipient: '={{ $json.to }}', text: 'Hi' }, threeRecipients);

	expect(nodeError(run).message).toBe('Recipient "12" is too short (2 digits, at least 7 with the country code)');
	expect(nodeError(run).context?.itemIndex).toBe(2);
	expect(backends().graph.requests).toEqual([]);
});

test('with continueOnFail an invalid item 3 becomes an error item, items 1 and 2 are sent, every item paired', async () => {
	const run = await runSend(backends(), { operation: 'sendText', recipient: '={{ $json.to }}', text: 'Hi' }, threeRecipients, {
		continueOnFail: true,
	});

	expect(messageBodies(backends().graph).map((body) => (body as { to: string }).to)).toEqual(['4915100000001', '4915100000002']);
	expect(run.items.map((item) => [item.json.status, item.pairedItem])).toEqual([
		['accepted', { item: 0 }],
		['accepted', { item: 1 }],
		['failed', { item: 2 }],
	]);
	expect(run.items[2].json.error).toMatchObject({ kind: 'validation', field: 'Recipient' });
});
