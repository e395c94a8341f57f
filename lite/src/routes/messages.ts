import type { Session } from '../drivers/session';
import type { Driver } from '../drivers/types';
import { invalidRequest, sessionNotReady } from '../http/errors';
import type { Router } from '../http/router';
import { outgoingMessage, recipientOf, type MessageLimits } from '../send/request';
import type { Sender } from '../send/sender';

/** A whatsapp-web.js message ID ("true_4915…@c.us_3EB0…") names its chat. */
const SERIALIZED_ID = /^(?:true|false)_([^_]+@(?:c|g)\.us)_/;

export function messageRoutes(router: Router, deps: { sender: Sender; driver: Driver; session: Session; limits: MessageLimits }): void {
	// Counted in the suit's quota and paced with its campaigns whatever the caller says (no header skips either).
	router.add('POST', '/api/send-message', async ({ body }) => {
		const recipient = recipientOf(body.number, 'number');
		const message = outgoingMessage(body, deps.limits);
		const result = await deps.sender.sendNow(recipient, message);
		return { status: 200, body: { success: true, ...result } };
	});

	router.add('POST', '/api/mark-read', async ({ body }) => {
		const given = typeof body.chatId === 'string' && body.chatId ? body.chatId : undefined;
		const chatId = given ?? SERIALIZED_ID.exec(String(body.messageId ?? ''))?.[1];
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
