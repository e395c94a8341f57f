import type { INodeParameters } from 'n8n-workflow';
import { cloudEnvelope, messageBodies, runSend, TO, useBackends } from './fixtures';

const backends = useBackends();

const buttons = (...titles: string[]) => ({ button: titles.map((title, index) => ({ title, id: `b${index + 1}` })) });
const replyButtons = (...titles: string[]) => titles.map((title, index) => ({ type: 'reply', reply: { id: `b${index + 1}`, title } }));

/** [what, node parameters, the exact body Meta must receive]. Every row sends to TO through the engine. */
const messages: Array<[string, INodeParameters, Record<string, unknown>]> = [
	['text without URL preview', { operation: 'sendText', text: 'Hello' }, cloudEnvelope('text', { body: 'Hello', preview_url: false })],
	[
		'text with URL preview',
		{ operation: 'sendText', text: 'See https://example.com', previewUrl: true },
		cloudEnvelope('text', { body: 'See https://example.com', preview_url: true }),
	],
	[
		'location with name and address',
		{ operation: 'sendLocation', latitude: 52.520008, longitude: 13.404954, locationName: 'Alexanderplatz', address: 'Berlin' },
		cloudEnvelope('location', { latitude: 52.520008, longitude: 13.404954, name: 'Alexanderplatz', address: 'Berlin' }),
	],
	[
		'location without name',
		{ operation: 'sendLocation', latitude: -33.8688, longitude: 151.2093 },
		cloudEnvelope('location', { latitude: -33.8688, longitude: 151.2093 }),
	],
	[
		'contacts with every field',
		{
			operation: 'sendContacts',
			contacts: {
				contact: [
					{
						formattedName: 'Ada Lovelace',
						firstName: 'Ada',
						lastName: 'Lovelace',
						phone: '+44 20 7946 0000',
						phoneType: 'WORK',
						email: 'ada@example.com',
						url: 'https://ada.example.com',
						company: 'Analytical Engines',
					},
					{ formattedName: 'Charles Babbage' },
				],
			},
		},
		cloudEnvelope('contacts', [
			{
				name: { formatted_name: 'Ada Lovelace', first_name: 'Ada', last_name: 'Lovelace' },
				phones: [{ phone: '+44 20 7946 0000', type: 'WORK' }],
				emails: [{ email: 'ada@example.com' }],
				urls: [{ url: 'https://ada.example.com' }],
				org: { company: 'Analytical Engines' },
			},
			{ name: { formatted_name: 'Charles Babbage' } },
		]),
	],
	[
		'one reply button',
		{ operation: 'sendButtons', body: 'Confirm?', buttons: buttons('Yes') },
		cloudEnvelope('interactive', { type: 'button', body: { text: 'Confirm?' }, action: { buttons: replyButtons('Yes') } }),
	],
	[
		'three reply buttons with header and footer',
		{
			operation: 'sendButtons',
			header: 'Order 42',
			body: 'Deliver when?',
			footer: 'Reply any time',
			buttons: buttons('Today', 'Tomorrow', 'Next week'),
		},
		cloudEnvelope('interactive', {
			type: 'button',
			header: { type: 'text', text: 'Order 42' },
			body: { text: 'Deliver when?' },
			footer: { text: 'Reply any time' },
			action: { buttons: replyButtons('Today', 'Tomorrow', 'Next week') },
		}),
	],
	[
		'list with rows grouped into sections by section title',
		{
			operation: 'sendList',
			body: 'Pick a slot',
			buttonText: 'Slots',
			rows: {
				row: [
					{ title: 'Mon 9:00', id: 'mon9', section: 'Monday', description: 'Morning' },
					{ title: 'Tue 9:00', id: 'tue9', section: 'Tuesday' },
					{ title: 'Mon 14:00', id: 'mon14', section: 'Monday' },
				],
			},
		},
		cloudEnvelope('interactive', {
			type: 'list',
			body: { text: 'Pick a slot' },
			action: {
				button: 'Slots',
				sections: [
					{
						title: 'Monday',
						rows: [
							{ id: 'mon9', title: 'Mon 9:00', description: 'Morning' },
							{ id: 'mon14', title: 'Mon 14:00' },
						],
					},
					{ title: 'Tuesday', rows: [{ id: 'tue9', title: 'Tue 9:00' }] },
				],
			},
		}),
	],
	[
		'list of 10 rows in one untitled section',
		{
			operation: 'sendList',
			body: 'Pick one',
			buttonText: 'Choose',
			rows: { row: Array.from({ length: 10 }, (_, index) => ({ title: `Option ${index + 1}`, id: `o${index + 1}` })) },
		},
		cloudEnvelope('interactive', {
			type: 'list',
			body: { text: 'Pick one' },
			action: {
				button: 'Choose',
				sections: [{ rows: Array.from({ length: 10 }, (_, index) => ({ id: `o${index + 1}`, title: `Option ${index + 1}` })) }],
			},
		}),
	],
	[
		'CTA URL button',
		{ operation: 'sendCtaUrl', body: 'Your invoice is ready', displayText: 'Open invoice', url: 'https://example.com/invoice/42' },
		cloudEnvelope('interactive', {
			type: 'cta_url',
			body: { text: 'Your invoice is ready' },
			action: { name: 'cta_url', parameters: { display_text: 'Open invoice', url: 'https://example.com/invoice/42' } },
		}),
	],
	[
		'reaction',
		{ operation: 'sendReaction', messageId: 'wamid.ORIGINAL', emoji: '❤️' },
		cloudEnvelope('reaction', { message_id: 'wamid.ORIGINAL', emoji: '❤️' }),
	],
	[
		'text replying to a message (context)',
		{ operation: 'sendText', text: 'Yes, still open', options: { replyTo: 'wamid.QUESTION' } },
		cloudEnvelope('text', { body: 'Yes, still open', preview_url: false }, { context: { message_id: 'wamid.QUESTION' } }),
	],
];

test.each(messages)('Cloud API: %s is sent with the exact body Meta expects', async (_what, parameters, body) => {
	const run = await runSend(backends(), { recipient: `+${TO}`, ...parameters });

	expect(run.error).toBeUndefined();
	expect(messageBodies(backends().graph)).toEqual([body]);
	expect(run.items).toEqual([
		{
			json: expect.objectContaining({ messageId: 'wamid.TEST000001', waId: TO, backend: 'cloud', status: 'accepted' }),
			pairedItem: { item: 0 },
		},
	]);
});

test("Cloud API: recipient and text come from expressions over each item's JSON", async () => {
	const people = [
		{ phone: '+49 151 2345-6789', name: 'Ada' },
		{ phone: '0044 (20) 7946 0000', name: 'Charles' },
	];
	const run = await runSend(
		backends(),
		{ operation: 'sendText', recipient: '={{ $json.phone }}', text: '=Hello {{ $json.name }}, your code is {{ $json.name.length * 7 }}' },
		people.map((json) => ({ json })),
	);

	expect(run.error).toBeUndefined();
	expect(messageBodies(backends().graph)).toEqual([
		cloudEnvelope('text', { body: 'Hello Ada, your code is 21', preview_url: false }),
		cloudEnvelope('text', { body: 'Hello Charles, your code is 49', preview_url: false }, { to: '442079460000' }),
	]);
	expect(run.items.map((item) => [item.json.waId, item.pairedItem])).toEqual([
		[TO, { item: 0 }],
		['442079460000', { item: 1 }],
	]);
});

test.each([
	['without', false, {}],
	['with', true, { typing_indicator: { type: 'text' } }],
])('Cloud API: mark as read %s typing indicator', async (_what, typingIndicator, extra) => {
	const run = await runSend(backends(), { operation: 'markAsRead', messageId: 'wamid.INCOMING', typingIndicator });

	expect(run.error).toBeUndefined();
	expect(messageBodies(backends().graph)).toEqual([
		{ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.INCOMING', ...extra },
	]);
	expect(run.items).toEqual([
		{ json: { messageId: 'wamid.INCOMING', backend: 'cloud', status: 'read', typingIndicator }, pairedItem: { item: 0 } },
	]);
});

test('Cloud API: a group chat ID is refused before any request, naming the Lite container as the way to groups', async () => {
	const run = await runSend(backends(), { operation: 'sendText', recipient: '120363025246125486@g.us', text: 'Hi all' });

	expect(run.error?.message).toBe('Group chats cannot be reached through the WhatsApp Cloud API');
	expect((run.error as { description?: string }).description).toMatch(
		/120363025246125486@g\.us is a group chat ID.*Fix: Use a WhatsApp Lite Container credential/,
	);
	expect(backends().graph.requests).toEqual([]);
});
