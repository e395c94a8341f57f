/**
 * The message templates of the fake WhatsApp Business Account, as Meta lists them, and Meta's checks of a
 * template send against the stored template (132000 count, 132001 missing or not approved, 132012 format).
 * Written from Meta's documentation, independently of the package's own template code.
 */
export interface FakeTemplate {
	id: string;
	name: string;
	language: string;
	status: 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';
	category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
	parameter_format: 'POSITIONAL' | 'NAMED';
	components: Array<Record<string, any>>;
	/** The time-to-live set on the template (POST message_templates); absent: Meta's default for its category. */
	message_send_ttl_seconds?: number;
}

const template = (id: number, fields: Omit<FakeTemplate, 'id'>): FakeTemplate => ({ id: String(1_200_000_000 + id), ...fields });

export const TEMPLATES: FakeTemplate[] = [
	template(1, {
		name: 'order_update',
		language: 'en_US',
		status: 'APPROVED',
		category: 'UTILITY',
		parameter_format: 'POSITIONAL',
		components: [
			{ type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['A-1001'] } },
			{ type: 'BODY', text: 'Hi {{1}}, your order {{2}} ships on {{3}}.', example: { body_text: [['Ada', 'A-1001', 'Monday']] } },
			{ type: 'FOOTER', text: 'Reply STOP to opt out' },
			{
				type: 'BUTTONS',
				buttons: [
					{
						type: 'URL',
						text: 'Track order',
						url: 'https://shop.example.com/track/{{1}}',
						example: ['https://shop.example.com/track/A-1001'],
					},
					{ type: 'QUICK_REPLY', text: 'Stop updates' },
				],
			},
		],
	}),
	template(2, {
		name: 'order_update',
		language: 'de',
		status: 'APPROVED',
		category: 'UTILITY',
		parameter_format: 'POSITIONAL',
		components: [
			{ type: 'HEADER', format: 'TEXT', text: 'Bestellung {{1}}', example: { header_text: ['A-1001'] } },
			{
				type: 'BODY',
				text: 'Hallo {{1}}, deine Bestellung {{2}} wird am {{3}} verschickt.',
				example: { body_text: [['Ada', 'A-1001', 'Montag']] },
			},
		],
	}),
	template(3, {
		name: 'welcome_named',
		language: 'en_US',
		status: 'APPROVED',
		category: 'MARKETING',
		parameter_format: 'NAMED',
		components: [
			{
				type: 'BODY',
				text: 'Hello {{first_name}}, welcome to {{shop_name}}!',
				example: {
					body_text_named_params: [
						{ param_name: 'first_name', example: 'Ada' },
						{ param_name: 'shop_name', example: 'Lovelace Books' },
					],
				},
			},
			{
				type: 'BUTTONS',
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Yes please' },
					{ type: 'QUICK_REPLY', text: 'No thanks' },
				],
			},
		],
	}),
	template(4, {
		name: 'spring_sale',
		language: 'en_US',
		status: 'APPROVED',
		category: 'MARKETING',
		parameter_format: 'POSITIONAL',
		components: [
			{ type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://scontent.whatsapp.net/v/spring.jpg'] } },
			{ type: 'BODY', text: 'Hi {{1}}, take {{2}} off everything this week.', example: { body_text: [['Ada', '20%']] } },
			{
				type: 'BUTTONS',
				buttons: [
					{ type: 'COPY_CODE', example: 'SPRING20' },
					{ type: 'URL', text: 'Shop now', url: 'https://shop.example.com/sale' },
				],
			},
		],
	}),
	template(5, {
		name: 'product_video',
		language: 'en_US',
		status: 'APPROVED',
		category: 'MARKETING',
		parameter_format: 'POSITIONAL',
		components: [
			{ type: 'HEADER', format: 'VIDEO', example: { header_handle: ['https://scontent.whatsapp.net/v/new.mp4'] } },
			{ type: 'BODY', text: 'See what is new this month, {{1}}.', example: { body_text: [['Ada']] } },
		],
	}),
	template(6, {
		name: 'invoice_ready',
		language: 'en_US',
		status: 'APPROVED',
		category: 'UTILITY',
		parameter_format: 'NAMED',
		components: [
			{ type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['https://scontent.whatsapp.net/v/invoice.pdf'] } },
			{
				type: 'BODY',
				text: 'Invoice {{invoice_number}} for {{amount}} is attached.',
				example: {
					body_text_named_params: [
						{ param_name: 'invoice_number', example: 'INV-7' },
						{ param_name: 'amount', example: '$12.00' },
					],
				},
			},
			{ type: 'BUTTONS', buttons: [{ type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+15550100000' }] },
		],
	}),
	template(7, {
		name: 'hello_world',
		language: 'en_US',
		status: 'APPROVED',
		category: 'UTILITY',
		parameter_format: 'POSITIONAL',
		components: [
			{ type: 'HEADER', format: 'TEXT', text: 'Hello World' },
			{
				type: 'BODY',
				text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API.',
			},
			{ type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
		],
	}),
	template(8, {
		name: 'appointment_named',
		language: 'en_GB',
		status: 'APPROVED',
		category: 'UTILITY',
		parameter_format: 'NAMED',
		components: [
			{
				type: 'HEADER',
				format: 'TEXT',
				text: 'Hi {{customer}}',
				example: { header_text_named_params: [{ param_name: 'customer', example: 'Ada' }] },
			},
			{
				type: 'BODY',
				text: 'Your appointment is on {{date}}.',
				example: { body_text_named_params: [{ param_name: 'date', example: '3 May' }] },
			},
		],
	}),
	template(9, {
		name: 'black_friday',
		language: 'en_US',
		status: 'PENDING',
		category: 'MARKETING',
		parameter_format: 'POSITIONAL',
		components: [{ type: 'BODY', text: 'Black Friday: {{1}} off!', example: { body_text: [['50%']] } }],
	}),
	template(10, {
		name: 'old_promo',
		language: 'en_US',
		status: 'REJECTED',
		category: 'MARKETING',
		parameter_format: 'POSITIONAL',
		components: [{ type: 'BODY', text: 'Buy now!!!' }],
	}),
	template(11, {
		name: 'paused_offer',
		language: 'en_US',
		status: 'PAUSED',
		category: 'MARKETING',
		parameter_format: 'POSITIONAL',
		components: [{ type: 'BODY', text: 'A special offer for {{1}}.', example: { body_text: [['Ada']] } }],
	}),
	template(12, {
		name: 'store_pickup',
		language: 'en_US',
		status: 'APPROVED',
		category: 'UTILITY',
		parameter_format: 'POSITIONAL',
		components: [
			{ type: 'HEADER', format: 'LOCATION' },
			{ type: 'BODY', text: 'Hi {{1}}, your order is ready for pickup here.', example: { body_text: [['Ada']] } },
		],
	}),
	template(13, {
		name: 'payment_due',
		language: 'en_US',
		status: 'APPROVED',
		category: 'UTILITY',
		parameter_format: 'NAMED',
		components: [
			{
				type: 'BODY',
				text: 'Hi {{first_name}}, your payment of {{amount}} is due on {{due_date}}.',
				example: {
					body_text_named_params: [
						{ param_name: 'first_name', example: 'Ada' },
						{ param_name: 'amount', example: '$12.50' },
						{ param_name: 'due_date', example: 'May 3, 2025' },
					],
				},
			},
		],
	}),
	// Authentication templates as Meta lists them: a copy-code button created as OTP is listed as URL; the OTP form too.
	template(14, {
		name: 'verify_code',
		language: 'en_US',
		status: 'APPROVED',
		category: 'AUTHENTICATION',
		parameter_format: 'POSITIONAL',
		components: [
			{
				type: 'BODY',
				text: '*{{1}}* is your verification code. For your security, do not share this code.',
				add_security_recommendation: true,
			},
			{ type: 'FOOTER', text: 'This code expires in 10 minutes.', code_expiration_minutes: 10 },
			{
				type: 'BUTTONS',
				buttons: [
					{
						type: 'URL',
						text: 'Copy code',
						url: 'https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code=otp{{1}}',
						example: ['https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code=otp123456'],
					},
				],
			},
		],
	}),
	template(15, {
		name: 'verify_code',
		language: 'de',
		status: 'APPROVED',
		category: 'AUTHENTICATION',
		parameter_format: 'POSITIONAL',
		components: [
			{ type: 'BODY', text: '*{{1}}* ist dein Bestätigungscode.' },
			{ type: 'BUTTONS', buttons: [{ type: 'OTP', otp_type: 'COPY_CODE', text: 'Code kopieren' }] },
		],
	}),
	// Asks a user whose phone WhatsApp withholds to share it (docs/cloud-api.md, "Contact identities").
	template(16, {
		name: 'share_phone',
		language: 'en_US',
		status: 'APPROVED',
		category: 'UTILITY',
		parameter_format: 'POSITIONAL',
		components: [
			{
				type: 'BODY',
				text: 'Hi {{1}}, share your phone number so that we can call you about your order.',
				example: { body_text: [['Ada']] },
			},
			{ type: 'BUTTONS', buttons: [{ type: 'REQUEST_CONTACT_INFO' }] },
		],
	}),
	// A media card carousel: Meta takes exactly as many cards as the template defines, each with its image.
	template(17, {
		name: 'summer_picks',
		language: 'en_US',
		status: 'APPROVED',
		category: 'MARKETING',
		parameter_format: 'POSITIONAL',
		components: [
			{ type: 'BODY', text: 'Hi {{1}}, our summer picks for you:', example: { body_text: [['Ada']] } },
			{
				type: 'CAROUSEL',
				cards: [0, 1].map(() => ({
					components: [
						{ type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://scontent.whatsapp.net/v/card.jpg'] } },
						{ type: 'BODY', text: '{{1}}, now {{2}}.', example: { body_text: [['Sun hat', '$15']] } },
						{
							type: 'BUTTONS',
							buttons: [
								{ type: 'QUICK_REPLY', text: 'Tell me more' },
								{ type: 'URL', text: 'Shop', url: 'https://shop.example.com/p/{{1}}', example: ['https://shop.example.com/p/hat-1'] },
							],
						},
					],
				})),
			},
		],
	}),
	// A limited-time offer with an expiration time and a copy-code button (no footer: Meta does not allow one).
	template(18, {
		name: 'flash_offer',
		language: 'en_US',
		status: 'APPROVED',
		category: 'MARKETING',
		parameter_format: 'POSITIONAL',
		components: [
			{ type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://scontent.whatsapp.net/v/offer.jpg'] } },
			{ type: 'LIMITED_TIME_OFFER', limited_time_offer: { text: 'Expiring offer!', has_expiration: true } },
			{ type: 'BODY', text: 'Good news, {{1}}! Use code {{2}} to get 25% off.', example: { body_text: [['Ada', 'CARIBE25']] } },
			{
				type: 'BUTTONS',
				buttons: [
					{ type: 'COPY_CODE', example: 'CARIBE25' },
					{ type: 'URL', text: 'Book now', url: 'https://shop.example.com/offer/{{1}}', example: ['https://shop.example.com/offer/c25'] },
				],
			},
		],
	}),
	// A template opening a WhatsApp Flow (a form) on its button.
	template(19, {
		name: 'book_visit',
		language: 'en_US',
		status: 'APPROVED',
		category: 'MARKETING',
		parameter_format: 'POSITIONAL',
		components: [
			{ type: 'BODY', text: 'Hi {{1}}, book your next visit in a few taps.', example: { body_text: [['Ada']] } },
			{
				type: 'BUTTONS',
				buttons: [{ type: 'FLOW', text: 'Book now', flow_id: '1197715005513101', navigate_screen: 'APPOINTMENT', flow_action: 'navigate' }],
			},
		],
	}),
	// One-tap autofill: Android fills the code in the app; elsewhere the button copies it.
	template(20, {
		name: 'verify_one_tap',
		language: 'en_US',
		status: 'APPROVED',
		category: 'AUTHENTICATION',
		parameter_format: 'POSITIONAL',
		components: [
			{ type: 'BODY', text: '*{{1}}* is your verification code.', add_security_recommendation: false },
			{
				type: 'BUTTONS',
				buttons: [
					{
						type: 'OTP',
						otp_type: 'ONE_TAP',
						text: 'Copy code',
						autofill_text: 'Autofill',
						package_name: 'com.example.shop',
						signature_hash: 'K8a/AINcGX7',
					},
				],
			},
		],
	}),
];

/** One page of `GET /<waba-id>/message_templates`, with Meta's cursor paging. */
export function templatePage(templates: FakeTemplate[], query: URLSearchParams, pageUrl: string, maxPageSize: number) {
	const limit = Math.min(Number(query.get('limit') ?? 25) || 25, maxPageSize);
	const start = query.get('after') ? Number(Buffer.from(String(query.get('after')), 'base64').toString('utf8')) : 0;
	const data = templates.slice(start, start + limit);
	const cursor = (index: number) => Buffer.from(String(index)).toString('base64');
	const more = start + limit < templates.length;
	const next = new URL(pageUrl);
	next.searchParams.set('after', cursor(start + limit));
	return {
		data,
		paging: { cursors: { before: cursor(start), after: cursor(start + limit) }, ...(more && { next: next.toString() }) },
	};
}

export interface TemplateRefusal {
	code: number;
	message: string;
	details: string;
}

const COUNT = '(#132000) Number of parameters does not match the expected number of params';
const FORMAT = '(#132012) Parameter format does not match format in the created template';

const variables = (text: unknown) => [...new Set([...String(text ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]))];

function checkTextComponent(
	kind: 'header' | 'body',
	stored: Record<string, any> | undefined,
	sent: Record<string, any> | undefined,
	named: boolean,
): TemplateRefusal | undefined {
	const expected = variables(stored?.text);
	const parameters: Array<Record<string, any>> = sent?.parameters ?? [];
	if (parameters.length !== expected.length) {
		return {
			code: 132000,
			message: COUNT,
			details: `${kind}: number of localizable_params (${parameters.length}) does not match the expected number of params (${expected.length})`,
		};
	}
	for (const parameter of parameters) {
		if (kind === 'body' && (parameter.type === 'currency' || parameter.type === 'date_time')) {
			const value = parameter[parameter.type];
			const valid =
				typeof value?.fallback_value === 'string' &&
				value.fallback_value !== '' &&
				(parameter.type === 'date_time' || (/^[A-Z]{3}$/.test(value.code) && Number.isInteger(value.amount_1000)));
			if (!valid)
				return {
					code: 100,
					message: '(#100) Invalid parameter',
					details: `body: ${parameter.type} parameter is missing fallback_value, code or amount_1000`,
				};
		} else if (parameter.type !== 'text' || typeof parameter.text !== 'string' || parameter.text === '') {
			return {
				code: 132012,
				message: FORMAT,
				details: `${kind}: Format mismatch, expected TEXT, received ${String(parameter.type).toUpperCase()}`,
			};
		}
		if (named && !expected.includes(parameter.parameter_name)) {
			return { code: 132012, message: FORMAT, details: `${kind}: Parameter name is missing or does not match a parameter of the template` };
		}
		if (!named && parameter.parameter_name !== undefined) {
			return { code: 132012, message: FORMAT, details: `${kind}: Format mismatch, expected POSITIONAL, received NAMED` };
		}
	}
	return undefined;
}

function checkMediaHeader(format: string, sent: Record<string, any> | undefined): TemplateRefusal | undefined {
	const parameter = sent?.parameters?.[0];
	const type = format.toLowerCase();
	const media = parameter?.[type];
	const fits =
		type === 'location'
			? typeof media?.latitude === 'number' &&
				typeof media.longitude === 'number' &&
				Math.abs(media.latitude) <= 90 &&
				Math.abs(media.longitude) <= 180
			: media &&
				(typeof media.id === 'string') !== (typeof media.link === 'string') &&
				(media.filename === undefined || (type === 'document' && typeof media.filename === 'string'));
	if (sent?.parameters?.length !== 1 || parameter.type !== type || !fits) {
		return {
			code: 132012,
			message: FORMAT,
			details: `header: Format mismatch, expected ${format}, received ${String(parameter?.type ?? 'UNKNOWN').toUpperCase()}`,
		};
	}
	return undefined;
}

const BUTTON_PARAMETER: Record<string, { subType: string; type: string; field: string } | undefined> = {
	URL: { subType: 'url', type: 'text', field: 'text' },
	COPY_CODE: { subType: 'copy_code', type: 'coupon_code', field: 'coupon_code' },
	QUICK_REPLY: { subType: 'quick_reply', type: 'payload', field: 'payload' },
	// An authentication template's code button takes the code as a URL parameter.
	OTP: { subType: 'url', type: 'text', field: 'text' },
	// Token and first-screen data, both optional inside the action (Meta then sends the token "unused").
	FLOW: { subType: 'flow', type: 'action', field: 'action' },
};

const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

function checkButtons(stored: Array<Record<string, any>>, sent: Array<Record<string, any>>): TemplateRefusal | undefined {
	for (const component of sent) {
		const button = stored[Number(component.index)];
		const rule = button && BUTTON_PARAMETER[button.type];
		const takesParameter = rule && (button.type !== 'URL' || variables(button.url).length > 0);
		if (!takesParameter || component.sub_type !== rule.subType) {
			return {
				code: 132000,
				message: COUNT,
				details: `buttons: button at index ${component.index} does not take a ${component.sub_type} parameter`,
			};
		}
		const parameter = component.parameters?.[0];
		const flowFits =
			rule.type !== 'action' ||
			(isObject(parameter?.action) &&
				(parameter.action.flow_token === undefined || typeof parameter.action.flow_token === 'string') &&
				(parameter.action.flow_action_data === undefined || isObject(parameter.action.flow_action_data)));
		if (component.parameters?.length !== 1 || parameter.type !== rule.type || !parameter[rule.field] || !flowFits) {
			return { code: 132012, message: FORMAT, details: `buttons: button at index ${component.index} expects one ${rule.type} parameter` };
		}
	}
	const required = stored.flatMap((button, index) =>
		(button.type === 'URL' && variables(button.url).length) || button.type === 'COPY_CODE' || button.type === 'OTP' ? [index] : [],
	);
	const missing = required.find((index) => !sent.some((component) => Number(component.index) === index));
	if (missing !== undefined) {
		return {
			code: 132000,
			message: COUNT,
			details: `buttons: button at index ${missing} of type ${stored[missing].type} requires a parameter`,
		};
	}
	return undefined;
}

const part = (components: Array<Record<string, any>> | undefined, type: string) =>
	components?.find((component) => String(component.type).toUpperCase() === type);

const sentButtons = (components: Array<Record<string, any>>) =>
	components.filter((component) => String(component.type).toUpperCase() === 'BUTTON');

/** A limited-time offer's expiration: required (UNIX milliseconds) when the template has one, refused otherwise. */
function checkOffer(stored: Record<string, any> | undefined, sent: Record<string, any> | undefined): TemplateRefusal | undefined {
	const expected = stored?.limited_time_offer?.has_expiration === true;
	if (!sent && !expected) return undefined;
	const time = sent?.parameters?.[0]?.limited_time_offer?.expiration_time_ms;
	if (!expected || sent?.parameters?.length !== 1 || sent.parameters[0].type !== 'limited_time_offer' || !Number.isInteger(time)) {
		return {
			code: 132000,
			message: COUNT,
			details: expected
				? 'limited_time_offer: expiration_time_ms (UNIX time in milliseconds) is required'
				: 'limited_time_offer: the template has no offer expiration',
		};
	}
	return undefined;
}

/** A carousel: a card for every card of the template, in order, each checked like a template of its own. */
function checkCarousel(
	stored: Record<string, any> | undefined,
	sent: Record<string, any> | undefined,
	named: boolean,
): TemplateRefusal | undefined {
	if (!stored && !sent) return undefined;
	const storedCards: Array<Record<string, any>> = stored?.cards ?? [];
	const sentCards: Array<Record<string, any>> = sent?.cards ?? [];
	if (sentCards.length !== storedCards.length || sentCards.some((card, index) => Number(card.card_index) !== index)) {
		return {
			code: 132000,
			message: COUNT,
			details: `carousel: ${sentCards.length} cards sent, the template has ${storedCards.length} (card_index 0 to ${storedCards.length - 1}, each once)`,
		};
	}
	for (const [index, card] of storedCards.entries()) {
		const components: Array<Record<string, any>> = sentCards[index].components ?? [];
		const refusal =
			checkMediaHeader(part(card.components, 'HEADER')?.format ?? 'IMAGE', part(components, 'HEADER')) ??
			checkTextComponent('body', part(card.components, 'BODY'), part(components, 'BODY'), named) ??
			checkButtons(part(card.components, 'BUTTONS')?.buttons ?? [], sentButtons(components));
		if (refusal) return { ...refusal, details: `card ${index}: ${refusal.details}` };
	}
	return undefined;
}

/** Meta's answer to a template send that does not fit the stored template, or undefined when it fits. */
export function refuseTemplateSend(sent: Record<string, any>, templates: FakeTemplate[]): TemplateRefusal | undefined {
	const code = sent?.language?.code;
	const stored = templates.find((candidate) => candidate.name === sent?.name && candidate.language === code);
	// Meta refuses every send of a template it paused for low quality or disabled, with these codes.
	if (stored?.status === 'PAUSED')
		return { code: 132015, message: '(#132015) Template is Paused', details: `template ${stored.name} is paused` };
	if (stored?.status === 'DISABLED')
		return { code: 132016, message: '(#132016) Template is disabled', details: `template ${stored.name} is disabled` };
	if (!stored || stored.status !== 'APPROVED') {
		return {
			code: 132001,
			message: '(#132001) Template name does not exist in the translation',
			details: `template name (${sent?.name}) does not exist in ${code}`,
		};
	}
	const sentComponents: Array<Record<string, any>> = sent.components ?? [];
	const named = stored.parameter_format === 'NAMED';
	const header = part(stored.components, 'HEADER');
	const sentHeader = part(sentComponents, 'HEADER');
	const headerRefusal =
		header && header.format !== 'TEXT'
			? checkMediaHeader(header.format, sentHeader)
			: checkTextComponent('header', header, sentHeader, named);
	return (
		headerRefusal ??
		checkTextComponent('body', part(stored.components, 'BODY'), part(sentComponents, 'BODY'), named) ??
		checkOffer(part(stored.components, 'LIMITED_TIME_OFFER'), part(sentComponents, 'LIMITED_TIME_OFFER')) ??
		checkButtons(part(stored.components, 'BUTTONS')?.buttons ?? [], sentButtons(sentComponents)) ??
		checkCarousel(part(stored.components, 'CAROUSEL'), part(sentComponents, 'CAROUSEL'), named)
	);
}

/** The category of the stored template a send names (AUTHENTICATION ones go to phone numbers only). */
export function templateCategory(sent: Record<string, any>, templates: FakeTemplate[]): string | undefined {
	return templates.find((candidate) => candidate.name === sent?.name && candidate.language === sent?.language?.code)?.category;
}
