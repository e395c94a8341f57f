import type { INodeProperties } from 'n8n-workflow';
import { optionNamesLiteral } from '../../whatsapp/n8n/commonProperties';
import * as campaign from './campaign/Campaign.resource';
import * as message from './message/Message.resource';
import * as optOut from './optOut/OptOut.resource';

const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Message', value: 'message' },
		{
			name: 'Campaign',
			value: 'campaign',
			description: 'Report on a campaign (both backends), list them by day, or steer one handed to the Lite container',
		},
		{ name: 'Opt-Out', value: 'optOut', description: 'Add, check, list, remove or import people who asked not to be messaged' },
	],
	default: 'message',
};

/** The fields of every resource and operation, in the order the panel shows them. */
export const sendProperties: INodeProperties[] = [
	resourceProperty,
	message.operationProperty,
	...campaign.description,
	...optOut.description,
	...message.description,
];

/** "Send Text", "Campaign: Get" on the canvas. */
export const SEND_SUBTITLE = `={{ ({ campaign: "Campaign: " })[$parameter["resource"]] ?? "" }}{{ (${optionNamesLiteral(sendProperties, 'operation')})[$parameter["operation"]] }}`;
