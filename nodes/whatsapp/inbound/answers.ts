import type { Answer, Question } from '../questions/question';
import { answerTo, parseChoiceButtonId } from '../questions/question';
import type { StateStore } from '../store/types';
import type { InboundEvent } from './event';

/**
 * Resumes a waiting execution: POSTs the question ID to its resume URL and tells whether the question is settled
 * (n8n resumed it, or there is nothing left to resume: 404, 409) or should be tried again on the next delivery.
 */
export type Resume = (question: Question) => Promise<'settled' | 'retry'>;

/** What the trigger does with a delivery's events once answers took theirs. */
export interface AnswerRouting {
	/** The events that answer no question: they start the workflow as usual. */
	unanswered: InboundEvent[];
	/** How many events answered a question (their executions resumed, or were already). */
	answered: number;
	/** A resume failed (n8n unreachable): answer the delivery with a retryable error so the backend sends it again. */
	retry: boolean;
}

type Reply = { text?: string; buttonIndex?: number; buttonQuestionId?: string };

function replyOf(event: InboundEvent): Reply {
	const button = parseChoiceButtonId(event.interactive?.id);
	return button ? { buttonIndex: button.index, buttonQuestionId: button.questionId } : { text: event.text };
}

function answerOf(event: InboundEvent, picked: Pick<Answer, 'choice' | 'text'>): Answer {
	return {
		...picked,
		from: event.from,
		userId: event.userId,
		name: event.name,
		replyMessageId: event.messageId as string,
		answeredAt: event.timestamp ?? new Date().toISOString(),
	};
}

/** The person's keys on that number: the phone and BSUID the event names, and the other one a webhook linked before. */
async function contactKeysOf(store: StateStore, event: InboundEvent): Promise<string[]> {
	const keys = [event.from, event.userId].filter((key): key is string => Boolean(key));
	const links = await store.contacts.lookup({ backend: event.backend, senderId: event.businessNumber }, keys);
	return [...new Set([...keys, ...links.flatMap((link) => [link?.phone, link?.userId].filter((key): key is string => Boolean(key)))])];
}

/**
 * The question this reply answers, claimed for it: the one its button names, else the newest open question of
 * that person on that number that the reply answers (a choice's number or text, or any text for free text).
 * A reply seen before (redelivered, or by another trigger) finds the question it claimed then.
 */
async function claimFor(store: StateStore, event: InboundEvent): Promise<Question | undefined> {
	const { questions } = store;
	const prior = await questions.answeredBy(event.backend, event.businessNumber, event.messageId as string);
	if (prior) return (await questions.get(prior))?.question;
	const reply = replyOf(event);
	const candidates = reply.buttonQuestionId
		? [reply.buttonQuestionId]
		: await questions.newestFor(event.backend, event.businessNumber, await contactKeysOf(store, event));
	for (const id of candidates) {
		const stored = await questions.get(id);
		if (stored?.status !== 'open') continue;
		const { question } = stored;
		if (question.backend !== event.backend || question.senderId !== event.businessNumber) continue;
		const picked = answerTo(question, reply);
		if (!picked) continue;
		const claim = await questions.claim(question, answerOf(event, picked));
		if (claim.outcome === 'claimed') return question;
		if (claim.outcome === 'again') return (await questions.get(claim.questionId))?.question;
	}
	return undefined;
}

/**
 * Takes the replies among a delivery's events that answer open questions (docs/send-and-wait.md) and resumes their
 * executions; every other event is left to start the workflow. A person's message only: statuses and other events
 * never answer.
 */
export async function routeAnswers(events: InboundEvent[], store: StateStore, resume: Resume): Promise<AnswerRouting> {
	const routing: AnswerRouting = { unanswered: [], answered: 0, retry: false };
	for (const event of events) {
		const question = event.event === 'message' && event.messageId && !event.groupId ? await claimFor(store, event) : undefined;
		if (!question) {
			routing.unanswered.push(event);
			continue;
		}
		routing.answered++;
		const stored = await store.questions.get(question.id);
		// Resumed already (this reply was seen before): nothing to do. Answered: resume, also again after a failed try.
		if (stored?.status === 'answered' && (await resume(question)) === 'retry') routing.retry = true;
	}
	return routing;
}
