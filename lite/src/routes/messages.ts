import type { Session } from '../drivers/session';
import type { Driver } from '../drivers/types';
import { recipientAddress } from '../../../contract/phone';
import { invalidRequest, optedOut, sessionNotReady } from '../http/errors';
import type { OptOutGate } from '../optOuts';
import type { Router } from '../http/router';
import { text, validated, z } from '../http/schema';
import { messageFieldsSchema, outgoingMessage, recipientOf, recipientText, type MessageLimits } from '../send/request';
import type { Sender } from '../send/sender';

/** A whatsapp-web.js message ID ("true_4915…@c.us_3EB0…") names its chat. */
const SERIALIZED_ID = /^(?:true|false)_([^_]+@(?:c|g)\.us)_/;

export interface MessageRouteDeps {
	sender: Sender;
	driver: Driver;
	session: Session;
	limits: MessageLimits;
	/** A single send to someone on the suit's opt-out list is refused, as campaigns skip them. */
	optOuts: OptOutGate;
}

export function messageRoutes(router: Router, deps: MessageRouteDeps): void {
	const sendMessage = z.object({ body: messageFieldsSchema(deps.limits).extend({ number: recipientText }) });
	const markRead = z.object({
		body: z.object({
			chatId: text(128).nullish(),
			messageId: text(256).nullish(),
			typing: z.boolean({ message: 'true or false' }).nullish(),
		}),
	});
	// Counted in the suit's quota and paced with its campaigns whatever the caller says (no header skips either).
	router.add('POST', '/api/send-message', async (request) => {
		const { number, ...fields } = validated(sendMessage, request).body;
		const recipient = recipientOf(number, 'number');
		const message = outgoingMessage(fields, deps.limits);
		const address = recipientAddress(recipient);
		const [refusal] = await deps.optOuts.refusals([address]);
		if (refusal) throw optedOut(address, refusal);
		const result = await deps.sender.sendNow(recipient, message);
		return { status: 200, body: { success: true, ...result } };
	});

	router.add('POST', '/api/mark-read', async (request) => {
		const { body } = validated(markRead, request);
		const chatId = body.chatId || SERIALIZED_ID.exec(body.messageId ?? '')?.[1];
		if (!chatId)
			throw invalidRequest(
				'chatId is missing (and messageId does not name a chat)',
				'Send the chatId of the message, e.g. 4915123456789@c.us',
			);
		if (!deps.session.ready) throw sessionNotReady(deps.session.status);
		await deps.driver.markRead(chatId.includes('@') ? chatId : `${chatId}@c.us`, body.typing === true);
		return { status: 200, body: { success: true } };
	});
}
