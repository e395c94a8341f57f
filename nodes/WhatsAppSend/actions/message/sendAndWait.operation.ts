import { randomUUID } from 'node:crypto';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION, WAIT_INDEFINITELY } from 'n8n-workflow';
import type { Channel } from '../../../whatsapp/channel/types';
import { adaptToChannel } from '../../../whatsapp/channel/capabilities';
import { invalidInput } from '../../../../contract/errors';
import { addressOf, identityAliases, identityOfRecipient, parseRecipientOrBsuid } from '../../../whatsapp/identity';
import { type Envelope, validateMessage } from '../../../whatsapp/message';
import { itemParameters } from '../../../whatsapp/n8n/itemParameters';
import { toNodeError } from '../../../whatsapp/n8n/nodeErrors';
import { runItems } from '../../../whatsapp/n8n/runItems';
import { processStateStoreFor, stateStoreFor } from '../../../whatsapp/n8n/store';
import { type Choice, type ChoiceStyle, checkChoices, type Question, questionMessage } from '../../../whatsapp/questions/question';
import { MAX_QUESTION_SECONDS, type StoredQuestion } from '../../../whatsapp/store/questions';
import type { StateStore } from '../../../whatsapp/store/types';

const show = { show: { resource: ['message'], operation: [SEND_AND_WAIT_OPERATION] } };
const showLimit = { show: { ...show.show, limitWaitTime: [true] } };

export const description: INodeProperties[] = [
	{
		displayName:
			'The reply reaches this workflow through a WhatsApp Automator Trigger on the same number (active in any workflow), with the same WhatsApp Shared State (Redis) credential in queue mode',
		name: 'sendAndWaitNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Question',
		name: 'question',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'e.g. Approve the refund of 40 € for order 1042?',
		displayOptions: show,
	},
	{
		displayName: 'Answer Type',
		name: 'answerType',
		type: 'options',
		options: [
			{ name: 'Choices', value: 'choices', description: 'Reply buttons or a list on Cloud, numbered choices on Lite' },
			{ name: 'Free Text', value: 'freeText', description: 'Whatever the person writes next' },
		],
		default: 'choices',
		displayOptions: show,
	},
	{
		displayName: 'Choices',
		name: 'choices',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Choice',
		default: { choice: [{ text: 'Yes' }, { text: 'No' }] },
		description: 'Up to 3 as reply buttons (20 characters each), up to 10 as a list (24 characters each)',
		displayOptions: { show: { ...show.show, answerType: ['choices'] } },
		options: [
			{
				displayName: 'Choice',
				name: 'choice',
				values: [
					{ displayName: 'Text', name: 'text', type: 'string', default: '' },
					{
						displayName: 'ID',
						name: 'id',
						type: 'string',
						default: '',
						description: 'What the answer item carries as choice.ID; empty: the choice\'s number ("1", "2", …)',
					},
				],
			},
		],
	},
	{
		displayName: 'Show Choices as a List',
		name: 'asList',
		type: 'boolean',
		default: false,
		description: 'Whether the choices are a list (up to 10) instead of reply buttons (up to 3) on the Cloud API',
		displayOptions: { show: { ...show.show, answerType: ['choices'], backend: ['cloud'] } },
	},
	{
		displayName: 'List Button Text',
		name: 'listButtonText',
		type: 'string',
		default: 'Choose',
		displayOptions: { show: { ...show.show, answerType: ['choices'], backend: ['cloud'], asList: [true] } },
	},
	{
		displayName: 'Limit Wait Time',
		name: 'limitWaitTime',
		type: 'boolean',
		default: false,
		description: 'Whether the workflow continues without an answer after a while',
		displayOptions: show,
	},
	{
		displayName: 'Limit Type',
		name: 'limitType',
		type: 'options',
		options: [
			{ name: 'After Time Interval', value: 'afterTimeInterval' },
			{ name: 'At Specified Time', value: 'atSpecifiedTime' },
		],
		default: 'afterTimeInterval',
		displayOptions: showLimit,
	},
	{
		displayName: 'Amount',
		name: 'resumeAmount',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 1,
		displayOptions: { show: { ...showLimit.show, limitType: ['afterTimeInterval'] } },
	},
	{
		displayName: 'Unit',
		name: 'resumeUnit',
		type: 'options',
		options: [
			{ name: 'Seconds', value: 'seconds' },
			{ name: 'Minutes', value: 'minutes' },
			{ name: 'Hours', value: 'hours' },
			{ name: 'Days', value: 'days' },
		],
		default: 'hours',
		displayOptions: { show: { ...showLimit.show, limitType: ['afterTimeInterval'] } },
	},
	{
		displayName: 'Max Date and Time',
		name: 'maxDateAndTime',
		type: 'dateTime',
		default: '',
		displayOptions: { show: { ...showLimit.show, limitType: ['atSpecifiedTime'] } },
	},
	{
		displayName: 'On Timeout',
		name: 'onTimeout',
		type: 'options',
		options: [
			{
				name: 'Output a Timeout Item',
				value: 'timeoutItem',
				description: 'An item with answered: false and timedOut: true (route it with an If node)',
			},
			{ name: 'Pass the Input Item Through', value: 'passThrough', description: "As n8n's Wait node does" },
		],
		default: 'timeoutItem',
		description:
			"What the node outputs when nobody answered in time. n8n continues a timed-out execution from this node's single output, so there is no separate timeout output.",
		displayOptions: showLimit,
	},
];

/** The execution waits for the answer this long at most; WAIT_INDEFINITELY without a limit (as n8n's send-and-wait nodes). */
function waitTillFrom(context: IExecuteFunctions): Date {
	if (!context.getNodeParameter('limitWaitTime', 0, false)) return WAIT_INDEFINITELY;
	const limitType = context.getNodeParameter('limitType', 0, 'afterTimeInterval') as string;
	if (limitType === 'atSpecifiedTime') {
		const raw = context.getNodeParameter('maxDateAndTime', 0, '') as string;
		const at = new Date(raw);
		if (Number.isNaN(at.getTime())) throw invalidInput('Max Date and Time', raw, 'is not a date and time', 'Pick a date and time');
		return at;
	}
	const amount = Number(context.getNodeParameter('resumeAmount', 0, 1));
	const unit = context.getNodeParameter('resumeUnit', 0, 'hours') as string;
	const seconds = { seconds: 1, minutes: 60, hours: 3600, days: 86400 }[unit] ?? 3600;
	if (!Number.isFinite(amount) || amount < 0) throw invalidInput('Amount', amount, 'is not a duration', 'Enter a number of 0 or more');
	return new Date(Date.now() + amount * seconds * 1000);
}

/** How long the store keeps the question: as long as the execution waits, at most MAX_QUESTION_SECONDS. */
const questionSeconds = (waitTill: Date) =>
	Math.max(1, Math.min(MAX_QUESTION_SECONDS, Math.ceil((waitTill.getTime() - Date.now()) / 1000)));

function readChoices(context: IExecuteFunctions, itemIndex: number): Choice[] {
	const entries = ((context.getNodeParameter('choices', itemIndex, {}) as IDataObject).choice as IDataObject[] | undefined) ?? [];
	return entries.map((entry, index) => ({
		text: String(entry.text ?? ''),
		id: String(entry.id ?? '').trim() || String(index + 1),
	}));
}

/**
 * n8n's URL that resumes this waiting execution at this node: signed where n8n signs resume URLs
 * (getSignedResumeUrl: its waiting-webhook handler then refuses a request without the signature), else
 * `$execution.resumeUrl` and the node ID, as n8n's own send-and-wait nodes build it.
 */
function resumeUrlOf(context: IExecuteFunctions): string {
	if (typeof context.getSignedResumeUrl === 'function') {
		context.setSignatureValidationRequired?.();
		return context.getSignedResumeUrl();
	}
	return `${String(context.evaluateExpression('{{ $execution.resumeUrl }}', 0))}/${context.getNode().id}`;
}

/** The question of the one input item, checked before anything is sent, and the message that asks it. */
function readQuestion(context: IExecuteFunctions, channel: Channel): { question: Question; envelope: Envelope; waitTill: Date } {
	const items = context.getInputData();
	if (items.length !== 1)
		throw invalidInput(
			'Input Items',
			`${items.length} items`,
			'is not one: Send and Wait for Response asks one person and waits for one answer per execution',
			'Put the node in a Loop Over Items (batch size 1), or keep one item before it',
		);
	const parameters = itemParameters(context);
	const freeText = parameters.text('answerType', 0) === 'freeText';
	const choices = freeText ? [] : readChoices(context, 0);
	const style: ChoiceStyle = channel.backend === 'cloud' && parameters.get('asList', 0, false) ? 'list' : 'buttons';
	// Lite numbers its choices in a text: up to 10, as many as a list holds.
	if (!freeText) checkChoices(choices, channel.backend === 'lite' ? 'list' : style);
	const to = parseRecipientOrBsuid(parameters.get('recipient', 0), (parameters.get('options', 0, {}) as IDataObject).recipientUserId);
	const identity = identityOfRecipient(to);
	if (!identity) throw invalidInput('Recipient', addressOf(to), 'is a group', 'Ask one person: enter their phone number or BSUID');
	const waitTill = waitTillFrom(context);
	const id = randomUUID();
	const text = parameters.text('question', 0);
	const message = questionMessage(channel.backend, id, text, choices, style, parameters.text('listButtonText', 0) || 'Choose');
	validateMessage(message);
	const envelope = adaptToChannel({ to, message }, channel, 'fail');
	const question: Question = {
		id,
		backend: channel.backend,
		senderId: channel.senderId,
		contactKeys: identityAliases(identity),
		choices,
		freeText,
		resumeUrl: resumeUrlOf(context),
		askedAt: Date.now(),
	};
	return { question, envelope, waitTill };
}

/** One step on the open questions in the node's state store (Redis with the credential, else this process's memory). */
async function withQuestions(context: IExecuteFunctions, step: (questions: StateStore['questions']) => Promise<void>) {
	const store = await stateStoreFor(context);
	try {
		await step(store.questions);
	} finally {
		await store.close();
	}
}

/**
 * Send and Wait for Response: checks the question, opens it in the state store, sends it, and puts the execution
 * to wait. The execution resumes through this node's waiting webhook (`answerWebhook`) once the trigger matched a
 * reply, or after the time limit with the timeout item.
 */
export async function execute(context: IExecuteFunctions, channel: Channel): Promise<INodeExecutionData[][]> {
	try {
		const { question, envelope, waitTill } = readQuestion(context, channel);
		// Opened before sending, so an answer that comes at once finds it; closed again if the send fails.
		await withQuestions(context, async (questions) => await questions.open(question, questionSeconds(waitTill)));
		const close = async () => await withQuestions(context, async (questions) => await questions.close(question.id));
		const [result] = await runItems(context, channel, async () => ({ kind: 'send', envelope })).catch(async (error: unknown) => {
			await close();
			throw error;
		});
		const messageId = result.json.messageId as string | undefined;
		if (!messageId) {
			// Not sent (skipped as opted out, or failed with Continue On Fail): nothing to wait for.
			await close();
			return [[result]];
		}
		await withQuestions(context, async (questions) => await questions.setMessageId(question.id, messageId));
		question.messageId = messageId;
		// What a timed-out execution continues with: n8n resumes it from this node's stack entry as it is now.
		if (context.getNodeParameter('onTimeout', 0, 'timeoutItem') === 'timeoutItem') {
			context.getExecuteData().data = { main: [[{ json: timeoutJson(question, result.json), pairedItem: { item: 0 } }]] };
		}
		await context.putExecutionToWait(waitTill);
		return [[{ json: { ...result.json, questionId: question.id, waitingTill: waitTill.toISOString() }, pairedItem: { item: 0 } }]];
	} catch (error) {
		throw toNodeError(context.getNode(), error, 0);
	}
}

function timeoutJson(question: Question, sent: IDataObject): IDataObject {
	return {
		answered: false,
		timedOut: true,
		to: sent.to,
		questionId: question.id,
		questionMessageId: question.messageId,
		backend: question.backend,
	};
}

/** The answer item the execution continues with. */
export function answerJson({ question, answer }: StoredQuestion): IDataObject {
	return {
		answered: true,
		timedOut: false,
		choice: answer?.choice ? { id: answer.choice.id, text: answer.choice.text } : null,
		text: answer?.text,
		from: answer?.from,
		userId: answer?.userId ?? null,
		name: answer?.name,
		answeredAt: answer?.answeredAt,
		questionId: question.id,
		questionMessageId: question.messageId,
		replyMessageId: answer?.replyMessageId,
		backend: question.backend,
	};
}

/** The node's waiting webhook: n8n calls webhook() on it with the request that resumes the execution. */
export const answerWebhookDescription: IWebhookDescription = {
	name: 'default',
	httpMethod: 'POST',
	responseMode: 'onReceived',
	path: '={{ $nodeId }}',
	restartWebhook: true,
	isFullPath: true,
};

/**
 * The trigger's resume request (`{"questionId"}`) for this waiting execution: the answer is read from the state
 * store, never from the request, and taken once (answered → resumed). A request for a question that has no
 * answer to take (unknown, already resumed, or a forged ID) resumes nothing and is told so with 409.
 */
export async function answerWebhook(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const body = context.getBodyData() as IDataObject;
	const questionId = typeof body.questionId === 'string' ? body.questionId : '';
	const store = await processStateStoreFor(context);
	const stored = questionId ? await store.questions.get(questionId) : undefined;
	// A question of another execution or node never resumes this one.
	const taken = stored && resumes(stored.question, context) ? await store.questions.take(questionId) : undefined;
	if (!taken) {
		context.getResponseObject().status(409).json({ resumed: false, reason: 'No answer to take for this question' });
		return { noWebhookResponse: true };
	}
	return { webhookResponse: { resumed: true }, workflowData: [[{ json: answerJson(taken) }]] };
}

/** The execution and node a resume URL names: the last two segments of `…/webhook-waiting/<execution>/<node>`. */
const targetOf = (path: string) => path.split('?')[0].split('/').filter(Boolean).slice(-2).join('/');

/** Whether this request is for the execution and node that asked the question (a proxy may prefix the path). */
function resumes(question: Question, context: IWebhookFunctions): boolean {
	const request = context.getRequestObject();
	return targetOf(new URL(question.resumeUrl).pathname) === targetOf(request.originalUrl ?? request.url ?? '');
}
