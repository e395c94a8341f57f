import type {
	Envelope,
	InteractiveFrame,
	MediaSource,
	OutboundMessage,
	TemplateButtonParameter,
	TemplateCard,
	TemplateMessage,
	TemplateParameter,
} from '../message';

import { flowAction } from '../flowMessage';

type Json = Record<string, unknown>;

function mediaReference(media: MediaSource): Json {
	if ('link' in media) return { link: media.link };
	if ('id' in media) return { id: media.id };
	throw new Error('Binary media must be uploaded before the payload is built');
}

function interactiveFrame(message: InteractiveFrame): Json {
	return {
		...(message.header && { header: { type: 'text', text: message.header } }),
		body: { text: message.body },
		...(message.footer && { footer: { text: message.footer } }),
	};
}

function typedValue({ text, localized }: TemplateParameter): Json {
	if (localized?.type === 'currency')
		return { type: 'currency', currency: { fallback_value: text, code: localized.code, amount_1000: localized.amount1000 } };
	if (localized?.type === 'date_time') return { type: 'date_time', date_time: { fallback_value: text } };
	return { type: 'text', text };
}

const textParameter = (parameter: TemplateParameter): Json => ({
	...typedValue(parameter),
	...(parameter.name && { parameter_name: parameter.name }),
});

function buttonParameter(button: TemplateButtonParameter): Json {
	switch (button.subType) {
		case 'quick_reply':
			return { type: 'payload', payload: button.payload };
		case 'url':
			return { type: 'text', text: button.text };
		case 'copy_code':
			return { type: 'coupon_code', coupon_code: button.couponCode };
		case 'flow':
			return {
				type: 'action',
				action: {
					...(button.flowToken !== undefined && { flow_token: button.flowToken }),
					...(button.flowActionData && { flow_action_data: button.flowActionData }),
				},
			};
	}
}

const buttonComponents = (buttons: TemplateButtonParameter[]): Json[] =>
	buttons.map((button) => ({
		type: 'button',
		sub_type: button.subType,
		index: String(button.index),
		parameters: [buttonParameter(button)],
	}));

const mediaParameter = (type: string, media: MediaSource, extra: Json = {}): Json => ({
	type,
	[type]: { ...mediaReference(media), ...extra },
});

/** A carousel: every card with its media header, then its body and button parameters where it has them. */
function carouselComponent(cards: TemplateCard[]): Json {
	return {
		type: 'carousel',
		cards: cards.map((card) => ({
			card_index: card.index,
			components: [
				{ type: 'header', parameters: [mediaParameter(card.header.type, card.header.media)] },
				...(card.body.length ? [{ type: 'body', parameters: card.body.map(textParameter) }] : []),
				...buttonComponents(card.buttons),
			],
		})),
	};
}

/** Meta's `template` object: components only where the template takes parameters. */
function templateBody(message: TemplateMessage): Json {
	const { header, headerLocation } = message;
	const headerParameters = headerLocation
		? [{ type: 'location', location: headerLocation }]
		: header?.type === 'text'
			? header.parameters.map(textParameter)
			: header && [
					mediaParameter(header.type, header.media, header.type === 'document' && header.filename ? { filename: header.filename } : {}),
				];
	const offer = message.limitedTimeOffer && {
		type: 'limited_time_offer',
		parameters: [{ type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: message.limitedTimeOffer.expirationTimeMs } }],
	};
	const components: Json[] = [
		...(headerParameters?.length ? [{ type: 'header', parameters: headerParameters }] : []),
		...(offer ? [offer] : []),
		...(message.body.length ? [{ type: 'body', parameters: message.body.map(textParameter) }] : []),
		...buttonComponents(message.buttons),
		...(message.cards?.length ? [carouselComponent(message.cards)] : []),
	];
	return { name: message.name, language: { code: message.language }, ...(components.length && { components }) };
}

function typeAndBody(message: OutboundMessage): [string, unknown] {
	switch (message.type) {
		case 'text':
			return ['text', { body: message.text, preview_url: message.previewUrl ?? false }];
		case 'image':
		case 'video':
			return [message.type, { ...mediaReference(message.media), ...(message.caption && { caption: message.caption }) }];
		case 'audio':
			return ['audio', { ...mediaReference(message.media), ...(message.voice && { voice: true }) }];
		case 'document':
			return [
				'document',
				{
					...mediaReference(message.media),
					...(message.caption && { caption: message.caption }),
					...(message.filename && { filename: message.filename }),
				},
			];
		case 'sticker':
			return ['sticker', mediaReference(message.media)];
		case 'location':
			return [
				'location',
				{
					latitude: message.latitude,
					longitude: message.longitude,
					...(message.name && { name: message.name }),
					...(message.address && { address: message.address }),
				},
			];
		case 'contacts':
			return ['contacts', message.contacts];
		case 'reaction':
			return ['reaction', { message_id: message.messageId, emoji: message.emoji }];
		case 'template':
			return ['template', templateBody(message)];
		case 'buttons':
			return [
				'interactive',
				{
					type: 'button',
					...interactiveFrame(message),
					action: { buttons: message.buttons.map((button) => ({ type: 'reply', reply: { id: button.id, title: button.title } })) },
				},
			];
		case 'list':
			return [
				'interactive',
				{
					type: 'list',
					...interactiveFrame(message),
					action: {
						button: message.buttonText,
						sections: message.sections.map((section) => ({
							...(section.title && { title: section.title }),
							rows: section.rows.map((row) => ({ id: row.id, title: row.title, ...(row.description && { description: row.description }) })),
						})),
					},
				},
			];
		case 'cta_url':
			return [
				'interactive',
				{
					type: 'cta_url',
					...interactiveFrame(message),
					action: { name: 'cta_url', parameters: { display_text: message.displayText, url: message.url } },
				},
			];
		case 'flow':
			return ['interactive', { type: 'flow', ...interactiveFrame(message), action: flowAction(message) }];
	}
}

/** A phone goes out as `to`, a BSUID as `recipient`; with both Meta sends to the phone (`to` wins). */
function addressing(to: Envelope['to']): Json {
	if (to.kind === 'user') return { recipient: to.userId };
	if (to.kind === 'group') return { to: to.chatId };
	return { to: to.digits, ...(to.userId && { recipient: to.userId }) };
}

/** The body of `POST /<phone-number-id>/messages` for one envelope. */
export function cloudMessagePayload(envelope: Envelope): Json {
	const [type, body] = typeAndBody(envelope.message);
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		...addressing(envelope.to),
		...(envelope.replyTo && { context: { message_id: envelope.replyTo } }),
		type,
		[type]: body,
	};
}

export function markAsReadPayload(messageId: string, typingIndicator: boolean): Json {
	return {
		messaging_product: 'whatsapp',
		status: 'read',
		message_id: messageId,
		...(typingIndicator && { typing_indicator: { type: 'text' } }),
	};
}
