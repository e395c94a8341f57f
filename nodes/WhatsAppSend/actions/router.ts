import { type IExecuteFunctions, type INodeExecutionData, NodeOperationError } from 'n8n-workflow';
import type { Backend, Channel } from '../../whatsapp/channel/types';
import { channelFromContext } from '../../whatsapp/n8n/channels';
import * as campaign from './campaign/Campaign.resource';
import * as message from './message/Message.resource';
import * as optOut from './optOut/OptOut.resource';

type Execute = (context: IExecuteFunctions, channel: Channel) => Promise<INodeExecutionData[][]>;

/** Each resource of WhatsApp Send and what runs its operations. */
const resources: Record<string, Execute> = {
	message: message.execute,
	campaign: async (context, channel) => [await campaign.execute(context, channel)],
	optOut: async (context, channel) => [await optOut.execute(context, channel)],
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0, 'message') as string;
	if (!Object.prototype.hasOwnProperty.call(resources, resource)) {
		throw new NodeOperationError(this.getNode(), `Unknown resource "${resource}"`, {
			description: 'Pick Message, Campaign or Opt-Out as the Resource (the workflow names one this node does not have).',
		});
	}
	const channel = await channelFromContext(this, this.getNodeParameter('backend', 0) as Backend);
	return await resources[resource](this, channel);
}
