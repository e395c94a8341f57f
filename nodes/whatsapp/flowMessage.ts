import { invalidInput, showValue } from '../../contract/errors';

/**
 * An interactive Flow message (Meta's `interactive.type: "flow"`): a button that opens a WhatsApp Flow, a form
 * inside WhatsApp. The person's answers come back as an `nfm_reply` message (inbound/flowReply.ts).
 */
export interface FlowMessageParts {
	/** The Flow by its ID (digits) or by its name, never both (Meta refuses both). */
	flow: { id: string } | { name: string };
	/** The button's text. */
	cta: string;
	/** Comes back with the answers, to tell them apart (Meta's default: "unused"). */
	token?: string;
	/** The first screen (Meta's default: the Flow's first entry screen). */
	screen?: string;
	/** The first screen's input data: a non-empty object. */
	data?: Record<string, unknown>;
}

/** Meta advises 30 characters at most for the button, without emoji. */
export const FLOW_CTA_MAX = 30;

/** Checks a Flow message before anything is sent; throws a validation error naming the field and the fix. */
export function checkFlowMessage(message: FlowMessageParts): void {
	if ('id' in message.flow && !/^\d+$/.test(message.flow.id)) {
		throw invalidInput(
			'Flow ID',
			message.flow.id,
			'is not a Flow ID (digits only)',
			'Copy the ID from WhatsApp Manager › Account tools › Flows, or give the Flow by name',
		);
	}
	if ('name' in message.flow && !message.flow.name.trim()) {
		throw invalidInput('Flow Name', message.flow.name, 'is empty', 'Enter the name of a published Flow, or give the Flow by ID');
	}
	if (!message.cta.trim())
		throw invalidInput('Button Text', message.cta, 'is empty', 'Enter the text of the button that opens the Flow, e.g. Book now');
	if ([...message.cta].length > FLOW_CTA_MAX) {
		throw invalidInput(
			'Button Text',
			message.cta,
			`is longer than the ${FLOW_CTA_MAX} characters WhatsApp advises`,
			`Shorten it to ${FLOW_CTA_MAX} characters or fewer`,
		);
	}
	const { data } = message;
	if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data) || !Object.keys(data).length)) {
		throw invalidInput(
			'Screen Data',
			showValue(data),
			'is not a non-empty object',
			'Give the first screen\'s data as an object, e.g. { "order_id": "A-1" }, or leave it empty',
		);
	}
}

/** The `action` of Meta's interactive Flow message. */
export function flowAction(message: FlowMessageParts): Record<string, unknown> {
	return {
		name: 'flow',
		parameters: {
			flow_message_version: '3',
			...('id' in message.flow ? { flow_id: message.flow.id } : { flow_name: message.flow.name }),
			flow_cta: message.cta,
			...(message.token && { flow_token: message.token }),
			flow_action: 'navigate',
			...((message.screen || message.data) && {
				flow_action_payload: { ...(message.screen && { screen: message.screen }), ...(message.data && { data: message.data }) },
			}),
		},
	};
}
