import type { IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { buildFilter } from '../whatsapp/inbound/filters';
import { receive } from '../whatsapp/inbound/receive';
import { credentialTest } from '../whatsapp/n8n/channels';
import { backendProperty, nodeCredentials } from '../whatsapp/n8n/commonProperties';
import { toNodeError } from '../whatsapp/n8n/nodeErrors';
import { stateStoreFor } from '../whatsapp/n8n/store';
import { triggerProperties } from './description';
import { assertUsable, eventItems, filterSettings, inboundRequest, registrationFromContext, respond, sourceFromContext } from './triggerContext';

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
		description: 'Starts the workflow on incoming WhatsApp messages, delivery statuses and session changes',
		defaults: { name: 'WhatsApp Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: nodeCredentials,
		webhooks: [
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: webhookPath, rawBody: true },
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: webhookPath, rawBody: true },
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

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = await inboundRequest(this);
		const source = await sourceFromContext(this);
		const store = await stateStoreFor(this).catch(() => undefined);
		if (!store) {
			respond(this, { status: 503, contentType: 'text/plain', body: 'De-duplication state is unavailable; deliver again later' });
			return { noWebhookResponse: true };
		}
		try {
			const options = this.getNodeParameter('options', {}) as { dedupeWindowMinutes?: number };
			const reception = await receive(request, source, {
				verifySignatures: this.getNodeParameter('verifySignatures', true) as boolean,
				filter: buildFilter(filterSettings(this)),
				store,
				scope: `${this.getWorkflow().id ?? ''}:${this.getNode().id}`,
				dedupeWindowSeconds: Math.round(Number(options.dedupeWindowMinutes ?? 1440) * 60),
				nowSeconds: Math.floor(Date.now() / 1000),
			});
			// Answered before media downloads: backends redeliver what is not acknowledged quickly.
			respond(this, reception.reply);
			if (reception.events.length === 0) return { noWebhookResponse: true };
			return { noWebhookResponse: true, workflowData: [await eventItems(this, reception.events)] };
		} finally {
			await store.close();
		}
	}
}
