import type {
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { confirmReceipt } from '../whatsapp/inbound/dedupe';
import { learnContactLinks } from '../whatsapp/inbound/contactLinks';
import { recordDeliveryUpdates } from '../whatsapp/inbound/deliveryUpdates';
import { recordTemplateHalts } from '../whatsapp/inbound/templateHalts';
import { buildFilter } from '../whatsapp/inbound/filters';
import { causeOf } from '../../contract/log';
import { type ReceiveOptions, receive } from '../whatsapp/inbound/receive';
import { credentialTest } from '../whatsapp/n8n/channels';
import { backendProperty } from '../whatsapp/n8n/commonProperties';
import { toNodeError } from '../whatsapp/n8n/nodeErrors';
import { processStateStoreFor } from '../whatsapp/n8n/store';
import type { StateStore } from '../whatsapp/store/types';
import { EVENTS_SUBTITLE, triggerCredentials, triggerProperties } from './description';
import { withOptOutsRecorded } from './optOutOption';
import { takeAnswers } from './answers';
import { plain } from '../whatsapp/inbound/source';
import { filterSettings, receptionSettings, triggerParameters, updatesCampaignReports } from './plan';
import {
	assertUsable,
	attachReceipt,
	eventItems,
	inboundRequest,
	logUnstarted,
	registrationFromContext,
	requestSource,
	respond,
	settleWhenAnswered,
	takeReceipt,
} from './triggerContext';

const webhookPath = 'webhook';

/** Runs one webhookMethods step with the node's webhook URL and static data; failures become n8n errors. */
async function registrationStep(context: IHookFunctions, step: 'exists' | 'create' | 'remove'): Promise<boolean> {
	try {
		if (step === 'exists') await assertUsable(context);
		const registration = await registrationFromContext(context);
		const url = context.getNodeWebhookUrl('default') as string;
		const state = context.getWorkflowStaticData('node');
		if (step === 'exists') return await registration.exists(url, state);
		await registration[step](url, state);
		return true;
	} catch (error) {
		throw toNodeError(context.getNode(), error, 0);
	}
}

export class WhatsAppTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Automator Trigger',
		name: 'whatsAppTrigger',
		icon: { light: 'file:../../icons/whatsapp-automator.svg', dark: 'file:../../icons/whatsapp-automator.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: EVENTS_SUBTITLE,
		description:
			'Starts the workflow on incoming WhatsApp messages, delivery statuses, template and account updates, session changes and campaign progress',
		defaults: { name: 'WhatsApp Automator Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: triggerCredentials,
		webhooks: [
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: webhookPath, rawBody: true },
			// responseNode: the answer to a delivery with events comes from execute(), inside the stored execution.
			{ name: 'default', httpMethod: 'POST', responseMode: 'responseNode', path: webhookPath, rawBody: true },
		],
		properties: [backendProperty, ...triggerProperties],
	};

	methods = { credentialTest };

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await registrationStep(this, 'exists');
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await registrationStep(this, 'create');
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await registrationStep(this, 'remove');
			},
		},
	};

	/**
	 * Refusals and deliveries that start nothing are answered here. Events are handed to n8n; the answer comes
	 * from execute() once the execution runs, so a 2xx means n8n stored it (docs/n8n-webhooks.md). The
	 * de-duplication claims become final on a 2xx answer and are given back on any other, so the backend's
	 * redelivery starts the events; when the sender gave up before any answer, execute() makes them final.
	 */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const parameters = triggerParameters(this);
		const node = this.getNode();
		// Opened once per request, and only for a verified delivery that needs it.
		let store: Promise<StateStore> | undefined;
		const openStore = async () => await (store ??= processStateStoreFor(this, node));
		const request = await inboundRequest(this);
		if (!request) return { noWebhookResponse: true };
		const options: ReceiveOptions = {
			...receptionSettings(parameters),
			filter: buildFilter(filterSettings(parameters)),
			openStore,
			scope: `${this.getWorkflow().id ?? ''}:${node.id}`,
			nowSeconds: Math.floor(Date.now() / 1000),
			log: this.logger,
			record: async (events) => {
				await learnContactLinks(events, openStore);
				await recordTemplateHalts(events, openStore);
				if (updatesCampaignReports(parameters)) await recordDeliveryUpdates(events, (await openStore()).reports);
			},
		};
		// The credential as read in the last seconds; a refused signature is checked once more against it as stored now.
		let reception = await receive(request, await requestSource(this, parameters, node, request.method === 'GET'), options);
		if (reception.reply.status === 401) reception = await receive(request, await requestSource(this, parameters, node, true), options);
		if (reception.events.length === 0) {
			logUnstarted(this, reception.reply);
			respond(this, reception.reply);
			return { noWebhookResponse: true };
		}
		settleWhenAnswered(this, reception.settle);
		// Replies to Send and Wait for Response resume their executions instead (docs/send-and-wait.md).
		const answers = await takeAnswers(this, reception.events, openStore).catch((error: unknown) => {
			// The store failed: answered 503 below, so the backend delivers again; the cause goes to n8n's log.
			this.logger.warn('WhatsApp Trigger answered 503: replies could not be matched to waiting questions', causeOf(error));
			return undefined;
		});
		if (!answers || answers.retry || answers.unanswered.length === 0) {
			respond(
				this,
				!answers || answers.retry
					? plain(503, 'A waiting execution could not be resumed yet; deliver again later')
					: { status: 200, contentType: 'application/json', body: JSON.stringify({ received: reception.events.length }) },
			);
			return { noWebhookResponse: true };
		}
		const events = await withOptOutsRecorded(parameters, openStore, answers.unanswered);
		return { workflowData: [attachReceipt(await eventItems(this, parameters, events), reception.receipt)] };
	}

	/**
	 * The first step of the execution n8n started with the events: answers the delivery (n8n sends it as the
	 * webhook's response; elsewhere, e.g. a manual run, nothing waits for it), makes the delivery's claims final
	 * (the sender may have given up before the answer) and passes the events on.
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { events, receipt } = takeReceipt(this.getInputData());
		this.sendResponse({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: { received: events.length } });
		// Not confirmed (store unreachable): the claims lapse after PENDING_CLAIM_SECONDS; the events already run.
		if (receipt)
			await confirmReceipt(await processStateStoreFor(this), receipt).catch((error: unknown) =>
				this.logger.warn('WhatsApp Trigger could not confirm a delivery (its claims lapse on their own)', causeOf(error)),
			);
		return [events];
	}
}
