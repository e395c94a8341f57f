import type { RedisClient } from './types';
import { defineScripts } from '../../../contract/redis/scripts';
import { STORE_SCRIPT_DIR } from './scripts';
import type { Answer, Question } from '../questions/question';

/**
 * The open questions of Send and Wait for Response (docs/send-and-wait.md). A question moves open → answered (a
 * reply claimed it) → resumed (the waiting execution took the answer), each step once, atomically, so a reply resumes
 * its execution exactly once whichever trigger or redelivery sees it.
 *
 * Keys: `wa_automator:question:{id}` a hash (question JSON, status, answer JSON) living as long as the execution
 * waits; `wa_automator:questions:{backend}:{sender}:{contact key}` the newest open questions of one person on one
 * number (at most MAX_OPEN_PER_CONTACT); `wa_automator:answer:{backend}:{sender}:{reply message ID}` the question a
 * reply answered, so a redelivered reply finds the same question again instead of the next one.
 */
export const MAX_OPEN_PER_CONTACT = 20;
/** A question waits at most this long in the store, also when its execution waits without a limit. */
export const MAX_QUESTION_SECONDS = 30 * 24 * 60 * 60;

export type QuestionStatus = 'open' | 'answered' | 'resumed';

export interface StoredQuestion {
	question: Question;
	status: QuestionStatus;
	answer?: Answer;
}

/** What claiming a question for a reply did. */
export type ClaimOutcome =
	/** This reply now answers the question. */
	| { outcome: 'claimed' }
	/** This reply answered it before (a redelivery, or another trigger saw it): `status` says whether it resumed. */
	| { outcome: 'again'; questionId: string }
	/** Another reply answered it first, or it expired. */
	| { outcome: 'taken' };

export interface OpenQuestions {
	/** Keeps a question open for `ttlSeconds` under each of its contact keys. */
	open(question: Question, ttlSeconds: number): Promise<void>;
	get(id: string): Promise<StoredQuestion | undefined>;
	/** The question IDs open for one person (by any of their keys) on one number, newest first. */
	newestFor(backend: string, senderId: string, contactKeys: string[]): Promise<string[]>;
	/** The question this reply answered before, if any. */
	answeredBy(backend: string, senderId: string, replyMessageId: string): Promise<string | undefined>;
	/** Open → answered for this reply, atomically; see ClaimOutcome. */
	claim(question: Question, answer: Answer): Promise<ClaimOutcome>;
	/** The ID of the question message, once the backend accepted it. */
	setMessageId(id: string, messageId: string): Promise<void>;
	/** Forgets a question whose message was not sent. */
	close(id: string): Promise<void>;
	/** Answered → resumed, atomically: the answer the first time, undefined after (or when not answered). */
	take(id: string): Promise<StoredQuestion | undefined>;
}

export const questionKeyOf = (id: string) => `wa_automator:question:${id}`;
export const contactQuestionsKeyOf = (backend: string, senderId: string, contactKey: string) =>
	`wa_automator:questions:${backend}:${senderId}:${contactKey}`;
export const answerKeyOf = (backend: string, senderId: string, replyMessageId: string) =>
	`wa_automator:answer:${backend}:${senderId}:${replyMessageId}`;

/** The memory store's expiring entries, as the questions use them. */
export interface QuestionEntries {
	read<T>(key: string): T | undefined;
	write(key: string, value: unknown, ttlSeconds: number, keepExpiry?: boolean): void;
}

type IndexEntry = { id: string; at: number; until: number };

/** In this process's memory (one n8n process: the trigger and the Send node share it), bounded with its other entries. */
export class MemoryOpenQuestions implements OpenQuestions {
	constructor(private readonly entries: QuestionEntries) {}

	async open(question: Question, ttlSeconds: number) {
		const until = Date.now() + ttlSeconds * 1000;
		this.entries.write(questionKeyOf(question.id), { question, status: 'open' } satisfies StoredQuestion, ttlSeconds);
		for (const contactKey of question.contactKeys) {
			const key = contactQuestionsKeyOf(question.backend, question.senderId, contactKey);
			const now = Date.now();
			const live = (this.entries.read<IndexEntry[]>(key) ?? []).filter((entry) => entry.until > now);
			const index = [{ id: question.id, at: question.askedAt, until }, ...live].sort((a, b) => b.at - a.at).slice(0, MAX_OPEN_PER_CONTACT);
			this.entries.write(key, index, Math.ceil((Math.max(...index.map((entry) => entry.until)) - now) / 1000));
		}
	}

	async get(id: string) {
		return this.entries.read<StoredQuestion>(questionKeyOf(id));
	}

	async newestFor(backend: string, senderId: string, contactKeys: string[]) {
		const now = Date.now();
		const entries = contactKeys.flatMap((key) => this.entries.read<IndexEntry[]>(contactQuestionsKeyOf(backend, senderId, key)) ?? []);
		return [
			...new Set(
				entries
					.filter((entry) => entry.until > now)
					.sort((a, b) => b.at - a.at)
					.map((entry) => entry.id),
			),
		];
	}

	async answeredBy(backend: string, senderId: string, replyMessageId: string) {
		return this.entries.read<string>(answerKeyOf(backend, senderId, replyMessageId));
	}

	async claim(question: Question, answer: Answer): Promise<ClaimOutcome> {
		const replyKey = answerKeyOf(question.backend, question.senderId, answer.replyMessageId);
		const prior = this.entries.read<string>(replyKey);
		if (prior) return { outcome: 'again', questionId: prior };
		const stored = await this.get(question.id);
		if (stored?.status !== 'open') return { outcome: 'taken' };
		this.entries.write(questionKeyOf(question.id), { ...stored, status: 'answered', answer }, 0, true);
		this.entries.write(replyKey, question.id, MAX_QUESTION_SECONDS);
		return { outcome: 'claimed' };
	}

	async setMessageId(id: string, messageId: string) {
		const stored = await this.get(id);
		if (stored) this.entries.write(questionKeyOf(id), { ...stored, question: { ...stored.question, messageId } }, 0, true);
	}

	async close(id: string) {
		const stored = await this.get(id);
		if (stored) this.entries.write(questionKeyOf(id), { ...stored, status: 'resumed' }, 0, true);
	}

	async take(id: string) {
		const stored = await this.get(id);
		if (stored?.status !== 'answered') return undefined;
		this.entries.write(questionKeyOf(id), { ...stored, status: 'resumed' }, 0, true);
		return stored;
	}
}

/** The hash's fields as a StoredQuestion; the message ID is its own field (written after the send). */
function storedFrom(fields: Array<string | null>, status: QuestionStatus): StoredQuestion | undefined {
	const [question, answer, messageId] = fields;
	if (!question) return undefined;
	return {
		question: { ...(JSON.parse(question) as Question), ...(messageId && { messageId }) },
		status,
		...(answer && { answer: JSON.parse(answer) as Answer }),
	};
}

/** In the WhatsApp Shared State (Redis) credential's Redis: every n8n process (webhook processors, workers) shares it. */
export class RedisOpenQuestions implements OpenQuestions {
	private readonly scripts;

	constructor(
		private readonly client: RedisClient,
		private readonly run: <T>(operation: () => Promise<T>) => Promise<T>,
	) {
		this.scripts = defineScripts(client, STORE_SCRIPT_DIR, {
			questionOpen: 'first argument',
			questionClaim: 2,
			questionSetField: 1,
			questionTake: 1,
		});
	}

	async open(question: Question, ttlSeconds: number) {
		const indexes = question.contactKeys.map((key) => contactQuestionsKeyOf(question.backend, question.senderId, key));
		await this.run(() =>
			this.scripts.questionOpen(
				1 + indexes.length,
				questionKeyOf(question.id),
				...indexes,
				JSON.stringify(question),
				question.askedAt,
				Math.max(1, Math.ceil(ttlSeconds)),
				MAX_OPEN_PER_CONTACT,
			),
		);
	}

	async get(id: string) {
		const [question, status, answer, messageId] = await this.run(() =>
			this.client.hmget(questionKeyOf(id), 'question', 'status', 'answer', 'messageId'),
		);
		return storedFrom([question, answer, messageId], (status ?? 'open') as QuestionStatus);
	}

	async newestFor(backend: string, senderId: string, contactKeys: string[]) {
		const lists = await Promise.all(
			contactKeys.map((key) => this.run(() => this.client.zrevrange(contactQuestionsKeyOf(backend, senderId, key), 0, -1, 'WITHSCORES'))),
		);
		const entries = lists.flatMap((list) => {
			const pairs: Array<{ id: string; at: number }> = [];
			for (let index = 0; index < list.length; index += 2) pairs.push({ id: list[index], at: Number(list[index + 1]) });
			return pairs;
		});
		// An expired question's hash is gone (get() finds nothing and the caller skips it); the index keeps the newest 20.
		return [...new Set(entries.sort((a, b) => b.at - a.at).map((entry) => entry.id))];
	}

	async answeredBy(backend: string, senderId: string, replyMessageId: string) {
		return (await this.run(() => this.client.get(answerKeyOf(backend, senderId, replyMessageId)))) ?? undefined;
	}

	async claim(question: Question, answer: Answer): Promise<ClaimOutcome> {
		const [outcome, prior] = (await this.run(() =>
			this.scripts.questionClaim(
				questionKeyOf(question.id),
				answerKeyOf(question.backend, question.senderId, answer.replyMessageId),
				JSON.stringify(answer),
				question.id,
				MAX_QUESTION_SECONDS,
			),
		)) as [string, string?];
		if (outcome === 'again') return { outcome, questionId: String(prior) };
		return outcome === 'claimed' ? { outcome } : { outcome: 'taken' };
	}

	async setMessageId(id: string, messageId: string) {
		await this.run(() => this.scripts.questionSetField(questionKeyOf(id), 'messageId', messageId));
	}

	async close(id: string) {
		await this.run(() => this.scripts.questionSetField(questionKeyOf(id), 'status', 'resumed'));
	}

	async take(id: string) {
		const fields = (await this.run(() => this.scripts.questionTake(questionKeyOf(id)))) as Array<string | null> | null;
		return fields ? storedFrom(fields, 'resumed') : undefined;
	}
}
