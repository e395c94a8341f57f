'use strict';
/**
 * The baseline of bench/trigger-events.js: a webhook node with the WhatsApp Trigger's shape (POST, raw body,
 * answered from inside the execution: responseMode 'responseNode') and none of its work — no parameter, no
 * credential, no signature, no de-duplication. Its webhook() hands n8n's parsed body over as one item; its
 * execute() answers 200 and passes the item on. What the harness, n8n-core's webhook context and execution, and
 * Node's HTTP cost by themselves per event.
 */
class EchoWebhook {
	constructor() {
		this.description = {
			displayName: 'Bench Echo Webhook',
			name: 'benchEchoWebhook',
			group: ['trigger'],
			version: 1,
			description: 'Trivial webhook node for the bench baseline',
			defaults: { name: 'Bench Echo Webhook' },
			inputs: [],
			outputs: ['main'],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'responseNode', path: 'webhook', rawBody: true }],
			properties: [],
		};
		// The harness registers webhooks through these, as n8n does on activation; nothing to register here.
		this.webhookMethods = { default: { checkExists: async () => true, create: async () => true, delete: async () => true } };
	}

	async webhook() {
		return { workflowData: [[{ json: this.getBodyData() }]] };
	}

	async execute() {
		this.sendResponse({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: { received: 1 } });
		return [this.getInputData()];
	}
}

module.exports = { EchoWebhook };
