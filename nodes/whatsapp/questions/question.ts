import type { Backend } from '../channel/types';
import { invalidInput } from '../../../contract/errors';
import { LIMITS, type OutboundMessage } from '../message';

/**
 * A question sent by Send and Wait for Response, kept in the state store while its execution waits
 * (docs/send-and-wait.md): who was asked on which number, the choices, and where to resume the execution.
 */
export interface Question {
	/** Random (UUID): the only thing a resume request names, so it also keeps anyone else from resuming the execution. */
	id: string;
	backend: Backend;
	/** The asking number: Cloud phone number ID, Lite suit ID (an inbound event's `businessNumber`). */
	senderId: string;
	/** Every key the person may answer from: phone digits and/or BSUID. */
	contactKeys: string[];
	choices: Choice[];
	/** Any text answers (no choices). */
	freeText: boolean;
	/** n8n's resume URL of the waiting execution (signed where n8n signs it). */
	resumeUrl: string;
	/** The ID of the question message as the backend accepted it. */
	messageId?: string;
	/** Epoch milliseconds. */
	askedAt: number;
}

export interface Choice {
	id: string;
	text: string;
}

/** The reply that answered a question. */
export interface Answer {
	choice: Choice | null;
	/** What the person wrote or tapped. */
	text: string;
	from?: string;
	userId?: string | null;
	name?: string;
	replyMessageId: string;
	/** ISO time of the reply. */
	answeredAt: string;
}

/** How the choices are offered. */
export type ChoiceStyle = 'buttons' | 'list';

export const BUTTON_ID_PREFIX = 'wa_q:';

/** The ID a reply button or list row carries back: the question and the choice's position. */
export const choiceButtonId = (questionId: string, index: number) => `${BUTTON_ID_PREFIX}${questionId}:${index + 1}`;

/** The question and choice position a tapped button names, or undefined for any other ID. */
export function parseChoiceButtonId(id: string | undefined): { questionId: string; index: number } | undefined {
	if (!id?.startsWith(BUTTON_ID_PREFIX)) return undefined;
	const [questionId, position] = id.slice(BUTTON_ID_PREFIX.length).split(':');
	const index = Number(position) - 1;
	return questionId && Number.isInteger(index) && index >= 0 ? { questionId, index } : undefined;
}

/**
 * The choices as entered, checked before anything is sent: at least one, at most 3 as reply buttons (10 in a
 * list), each within Meta's title limit (20 characters on a button, 24 in a list row; docs/cloud-api.md), no two alike.
 */
export function checkChoices(choices: Choice[], style: ChoiceStyle): void {
	const max = style === 'list' ? LIMITS.listRowsMax : LIMITS.buttonsMax;
	if (choices.length === 0)
		throw invalidInput(
			'Choices',
			'none',
			'is empty: a question with choices needs at least one',
			'Add a choice, or pick Free Text as the Answer Type',
		);
	if (choices.length > max)
		throw invalidInput(
			'Choices',
			`${choices.length} choices`,
			style === 'list' ? `is too many: a list holds at most ${max} rows` : `is too many for reply buttons (at most ${max})`,
			style === 'list' ? 'Remove choices' : 'Turn on Show Choices as a List (up to 10), or remove choices',
		);
	const titleLimit = style === 'list' ? LIMITS.listRowTitle : LIMITS.buttonTitle;
	const seen = new Set<string>();
	choices.forEach((choice, index) => {
		const field = `Choice ${index + 1} Text`;
		if (!choice.text.trim()) throw invalidInput(field, choice.text, 'is empty', 'Give every choice a text');
		if (choice.text.length > titleLimit)
			throw invalidInput(
				field,
				choice.text,
				`is ${choice.text.length} characters, over WhatsApp's ${titleLimit} for a ${style === 'list' ? 'list row' : 'reply button'}`,
				`Shorten it to ${titleLimit} characters`,
			);
		const key = normalised(choice.text);
		if (seen.has(key)) throw invalidInput(field, choice.text, 'is the same as another choice', 'Give each choice a different text');
		seen.add(key);
	});
}

const normalised = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

/** The Lite question: WhatsApp Web has no buttons, so the choices are numbered and the person answers with one. */
export function numberedText(question: string, choices: Choice[]): string {
	const lines = choices.map((choice, index) => `${index + 1}. ${choice.text}`);
	return `${question}\n\n${lines.join('\n')}\n\nReply with the number or the text of your choice.`;
}

/** The message that asks: reply buttons or a list on Cloud, numbered text on Lite, the plain question for free text. */
export function questionMessage(
	backend: Backend,
	questionId: string,
	text: string,
	choices: Choice[],
	style: ChoiceStyle,
	listButtonText: string,
): OutboundMessage {
	if (choices.length === 0) return { type: 'text', text };
	if (backend === 'lite') return { type: 'text', text: numberedText(text, choices) };
	const options = choices.map((choice, index) => ({ id: choiceButtonId(questionId, index), title: choice.text }));
	if (style === 'buttons') return { type: 'buttons', body: text, buttons: options };
	return { type: 'list', body: text, buttonText: listButtonText, sections: [{ rows: options }] };
}

/**
 * The choice a typed reply picks: its number ("2", "2.") or its text, ignoring case and spacing; undefined when it
 * picks none.
 */
export function choiceForText(choices: Choice[], reply: string): Choice | undefined {
	const typed = normalised(reply).replace(/[.)]$/, '');
	if (/^\d+$/.test(typed)) return choices[Number(typed) - 1];
	return choices.find((choice) => normalised(choice.text) === typed);
}

/** Whether (and with what) a reply answers this question; undefined when it does not. */
export function answerTo(question: Question, reply: { text?: string; buttonIndex?: number }): Pick<Answer, 'choice' | 'text'> | undefined {
	if (reply.buttonIndex !== undefined) {
		const choice = question.choices[reply.buttonIndex];
		return choice ? { choice, text: choice.text } : undefined;
	}
	const text = reply.text?.trim();
	if (!text) return undefined;
	if (question.freeText) return { choice: null, text };
	const choice = choiceForText(question.choices, text);
	return choice ? { choice, text } : undefined;
}
