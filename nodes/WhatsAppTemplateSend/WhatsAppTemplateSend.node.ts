import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { Backend } from '../whatsapp/channel/types';
import { channelFromContext, credentialTest } from '../whatsapp/n8n/channels';
import { backendProperty, nodeCredentials, TRIGGER_POINTER } from '../whatsapp/n8n/commonProperties';
import { deliveryProperties } from '../whatsapp/n8n/delivery';
import { nodeOptions, retryPolicyFrom } from '../whatsapp/n8n/options';
import { runItems } from '../whatsapp/n8n/runItems';
import { TemplateCatalog } from '../whatsapp/templates/catalog';
import { TEMPLATE_SEND_SUBTITLE, templateSendProperties } from './description';
import { listSearch, resourceMapping } from './methods';
import { placeholderTakenByN8n, planTemplateItem } from './plan';

export class WhatsAppTemplateSend implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Automator Template Send',
		name: 'whatsAppTemplateSend',
		icon: { light: 'file:../../icons/whatsapp-automator.svg', dark: 'file:../../icons/whatsapp-automator.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: TEMPLATE_SEND_SUBTITLE,
		description: `Send Meta-approved templates (Cloud API) or text templates filled from each item (either backend). ${TRIGGER_POINTER}`,
		defaults: { name: 'WhatsApp Template Send' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: nodeCredentials,
		properties: [backendProperty, ...templateSendProperties, ...deliveryProperties({ show: { operation: ['send'] } })],
	};

	methods = { credentialTest, listSearch, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const backend = this.getNodeParameter('backend', 0) as Backend;
		const channel = await channelFromContext(this, backend);
		const run = {
			context: this,
			channel,
			catalog: new TemplateCatalog(channel, retryPolicyFrom(nodeOptions(this, 0))),
			placeholderTakenByN8n: placeholderTakenByN8n(this),
		};
		return [await runItems(this, channel, async (itemIndex) => await planTemplateItem(run, itemIndex))];
	}
}
