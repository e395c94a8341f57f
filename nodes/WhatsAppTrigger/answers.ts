import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';
import { type AnswerRouting, type Resume, routeAnswers } from '../whatsapp/inbound/answers';
import type { InboundEvent } from '../whatsapp/inbound/event';
import type { StateStore } from '../whatsapp/store/types';
import { causeOf } from '../../contract/log';

/** How long the trigger waits for n8n to take a resume request before asking the backend to deliver again. */
const RESUME_TIMEOUT_MS = 30_000;

/**
 * Resumes through n8n's own waiting-webhook URL, the way a person's click on a send-and-wait link does
 * (docs/send-and-wait.md). Settled: n8n took it (2xx), the node found nothing left to take (409 from the node), or
 * the execution is gone or finished (404, 409, and any other refusal a retry cannot change). Retried: n8n did not
 * answer, failed (5xx), or the execution is still running towards its wait.
 */
export function resumeThroughN8n(context: IWebhookFunctions): Resume {
	return async (question) => {
		let response: { statusCode: number; body: unknown };
		try {
			response = (await context.helpers.httpRequest({
				method: 'POST',
				url: question.resumeUrl,
				body: { questionId: question.id },
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: RESUME_TIMEOUT_MS,
			})) as { statusCode: number; body: unknown };
		} catch (error) {
			// n8n unreachable: the backend's redelivery tries again; the cause goes to n8n's log.
			context.logger.warn('WhatsApp Trigger could not resume the execution waiting for an answer', causeOf(error));
			return 'retry';
		}
		const { statusCode } = response;
		if (statusCode >= 200 && statusCode < 300) return 'settled';
		const body = response.body as IDataObject | undefined;
		// The node's own 409: nothing left to take (resumed by an earlier delivery of this reply).
		if (statusCode === 409 && body?.resumed === false) return 'settled';
		const message = String(body?.message ?? '');
		if (statusCode === 409 && /running/i.test(message)) return 'retry';
		if (statusCode >= 500 || statusCode === 408 || statusCode === 429) return 'retry';
		context.logger.warn(`WhatsApp Trigger: n8n refused to resume the execution waiting for an answer (${statusCode} ${message})`);
		return 'settled';
	};
}

/** The delivery's answers taken and their executions resumed; the rest start the workflow. */
export async function takeAnswers(
	context: IWebhookFunctions,
	events: InboundEvent[],
	openStore: () => Promise<StateStore>,
): Promise<AnswerRouting> {
	if (!events.some((event) => event.event === 'message')) return { unanswered: events, answered: 0, retry: false };
	return await routeAnswers(events, await openStore(), resumeThroughN8n(context));
}
