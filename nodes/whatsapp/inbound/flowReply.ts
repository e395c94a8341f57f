import type { InboundFlowReply } from './event';
import { type Json, isObject, text } from './normalise';

/**
 * A WhatsApp Flow's answers (`interactive.type: "nfm_reply"`): Meta sends them as `response_json`, a JSON text
 * holding the `flow_token` the Flow was sent with and one field per answer. Undefined for other interactive replies.
 */
export function flowReplyOf(message: Json): InboundFlowReply | undefined {
	const interactive = isObject(message.interactive) ? message.interactive : undefined;
	if (interactive?.type !== 'nfm_reply' || !isObject(interactive.nfm_reply)) return undefined;
	const reply = interactive.nfm_reply;
	const raw = text(reply.response_json);
	let parsed: unknown;
	try {
		parsed = raw === undefined ? undefined : JSON.parse(raw);
	} catch {
		// Not JSON (Meta documents it as JSON): the text is passed on as `raw` for the workflow to read.
		parsed = undefined;
	}
	const { flow_token: token, ...answers } = isObject(parsed) ? parsed : {};
	return {
		...(typeof token === 'string' && { token }),
		...(text(reply.name) && { name: text(reply.name) }),
		answers,
		...(!isObject(parsed) && raw !== undefined && { raw }),
	};
}
