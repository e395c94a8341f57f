import { recipientAddress } from '../../../nodes/whatsapp/phone';
import type { SandboxDriver } from '../drivers/sandbox';
import { invalidRequest } from '../http/errors';
import type { Router } from '../http/router';
import { recipientOf } from '../send/request';

export function sandboxRoutes(router: Router, sandbox: SandboxDriver): void {
	router.add('GET', '/sandbox/messages', async () => ({ status: 200, body: { messages: sandbox.sent, reads: sandbox.reads } }));
	router.add('DELETE', '/sandbox/messages', async () => {
		sandbox.clear();
		return { status: 204 };
	});
	router.add('POST', '/sandbox/scan', async () => {
		sandbox.scan();
		return { status: 200, body: { status: 'ready' } };
	});
	router.add('POST', '/sandbox/inbound', async ({ body }) => {
		const { from, body: text, type, name, quotedMessageId } = body;
		const sender = recipientAddress(recipientOf(from, 'from'));
		if (typeof text !== 'string') throw invalidRequest('body must be the message text');
		const optional = (value: unknown) => (typeof value === 'string' ? value : undefined);
		const message = sandbox.inbound({
			from: sender,
			body: text,
			type: optional(type),
			name: optional(name),
			quotedMessageId: optional(quotedMessageId),
		});
		return { status: 201, body: { success: true, message } };
	});
}
