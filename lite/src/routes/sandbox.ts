import { recipientAddress } from '../../../contract/phone';
import type { SandboxDriver } from '../drivers/sandbox';
import type { Router } from '../http/router';
import { text, validated, z } from '../http/schema';
import { recipientOf, recipientText } from '../send/request';

const optional = (maxLength: number) =>
	text(maxLength)
		.nullish()
		.transform((value) => value ?? undefined);
const inbound = z.object({
	body: z.object({
		from: recipientText,
		body: text(65_536, 'the message text, a string'),
		type: optional(32),
		name: optional(256),
		quotedMessageId: optional(256),
	}),
});

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
	router.add('POST', '/sandbox/inbound', async (request) => {
		const { from, ...rest } = validated(inbound, request).body;
		const message = sandbox.inbound({ from: recipientAddress(recipientOf(from, 'from')), ...rest });
		return { status: 201, body: { success: true, message } };
	});
}
