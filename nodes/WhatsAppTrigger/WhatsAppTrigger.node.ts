import type { IDataObject, IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { buildFilter } from '../whatsapp/inbound/filters';
import { receive } from '../whatsapp/inbound/receive';
import { credentialTest } from '../whatsapp/n8n/channels';
import { backendProperty, nodeCredentials } from '../whatsapp/n8n/commonProperties';
import { toNodeError } from '../whatsapp/n8n/nodeErrors';
import { processStateStoreFor } from '../whatsapp/n8n/store';
import { triggerProperties } from './description';
import { assertUsable, eventItems, filterSettings, inboundRequest, registrationFromContext, respond, settleWhenAnswered, sourceFromContext, triggerOptions } from './triggerContext';

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
		displayName: 'WhatsApp Trigger',
		name: 'whatsAppTrigger',
		icon: { light: 'file:whatsapp.svg', dark: 'file:whatsapp.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description: 'Starts the workflow on incoming WhatsApp messages, delivery statuses, template and account updates, session changes and campaign progress',
		defaults: { name: 'WhatsApp Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: nodeCredentials,
		webhooks: [
			// responseData '': n8n answers "on received" with the node's webhookResponse (unset, it would answer its default's name).
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', responseData: '', path: webhookPath, rawBody: true },
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: webhookPath, rawBody: true },
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
	 * Refusals and deliveries that start nothing are answered here. Events are handed to n8n with the answer as
	 * its "on received" response, which n8n 2.x sends only after it stored the execution, and a 500 when it could
	 * not (docs/n8n-webhooks.md); the de-duplication claims become final on a 2xx answer and are given back on
	 * any other, so the backend's redelivery starts the events.
	 */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const options = triggerOptions(this);
		const reception = await receive(await inboundRequest(this), await sourceFromContext(this), {
			verifySignatures: this.getNodeParameter('verifySignatures', true) as boolean,
			filter: buildFilter(filterSettings(this)),
			openStore: async () => await processStateStoreFor(this),
			scope: `${this.getWorkflow().id ?? ''}:${this.getNode().id}`,
			dedupeWindowSeconds: Math.round(Number(options.dedupeWindowMinutes ?? 1440) * 60),
			nowSeconds: Math.floor(Date.now() / 1000),
		});
		if (reception.events.length === 0) {
			respond(this, reception.reply);
			return { noWebhookResponse: true };
		}
		settleWhenAnswered(this, reception.settle);
		return { workflowData: [await eventItems(this, reception.events)], webhookResponse: JSON.parse(reception.reply.body) as IDataObject };
	}
}
