import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';
import { adaptToChannel, type UnsupportedInteractive } from '../../../whatsapp/channel/capabilities';
import type { Channel } from '../../../whatsapp/channel/types';
import { parseRecipientOrBsuid } from '../../../whatsapp/identity';
import { type OutboundMessage, validateMessage } from '../../../whatsapp/message';
import { deliveryOptions, recipientProperty } from '../../../whatsapp/n8n/commonProperties';
import { type ItemParameters, itemParameters } from '../../../whatsapp/n8n/itemParameters';
import { type PlannedItem, runItems } from '../../../whatsapp/n8n/runItems';
import { withRandomReference } from '../../../whatsapp/variation';
import { interactiveOperations, SENDING } from './displayOptions';
import { interactiveFrameProperties, liteInteractiveProperties } from './interactiveFrame';
import * as markAsRead from './markAsRead.operation';
import { messageIdProperties } from './messageId';
import * as sendAndWait from './sendAndWait.operation';
import * as sendButtons from './sendButtons.operation';
import * as sendContacts from './sendContacts.operation';
import * as sendCtaUrl from './sendCtaUrl.operation';
import * as sendFlow from './sendFlow.operation';
import * as sendList from './sendList.operation';
import * as sendLocation from './sendLocation.operation';
import * as sendMedia from './sendMedia.operation';
import * as sendReaction from './sendReaction.operation';
import * as sendText from './sendText.operation';

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['message'] } },
	options: [
		{
			name: 'Mark as Read',
			value: 'markAsRead',
			action: 'Mark a message as read',
			description: 'Show blue ticks on a received message, optionally with a typing indicator',
		},
		{ name: 'React', value: 'sendReaction', action: 'React to a message', description: 'Put an emoji reaction on a message' },
		{
			name: 'Send and Wait for Response',
			value: 'sendAndWait',
			action: 'Send a question and wait for the reply',
			description:
				'Ask a question (reply buttons or a list on Cloud, numbered choices on Lite, or free text); the workflow continues with the answer the WhatsApp Trigger receives',
		},
		{
			name: 'Send Contacts',
			value: 'sendContacts',
			action: 'Send contact cards',
			description: 'One or more contact cards the recipient can save',
		},
		{
			name: 'Send CTA URL Button',
			value: 'sendCtaUrl',
			action: 'Send a link button',
			description: 'Text with a button that opens a URL (Cloud API; on Lite only as text with the link, if chosen in Options)',
		},
		{
			name: 'Send Flow',
			value: 'sendFlow',
			action: 'Send a flow',
			description: 'A button that opens a WhatsApp Flow, a form inside WhatsApp; the answers come to the WhatsApp Trigger (Cloud API)',
		},
		{
			name: 'Send List',
			value: 'sendList',
			action: 'Send a list of choices',
			description: 'A menu of up to 10 rows (Cloud API; on Lite only as numbered text, if chosen in Options)',
		},
		{
			name: 'Send Location',
			value: 'sendLocation',
			action: 'Send a location',
			description: 'A pin on the map, with an optional place name and address',
		},
		{
			name: 'Send Media',
			value: 'sendMedia',
			action: 'Send a media file',
			description: 'An image, video, audio, document or sticker: by link, from an earlier node, or by media ID (Cloud API)',
		},
		{
			name: 'Send Reply Buttons',
			value: 'sendButtons',
			action: 'Send reply buttons',
			description: 'Text with up to 3 buttons (Cloud API; on Lite only as numbered text, if chosen in Options)',
		},
		{ name: 'Send Text', value: 'sendText', action: 'Send a text message', description: 'A text of up to 4096 characters' },
	],
	default: 'sendText',
};

const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: SENDING,
	options: [
		...deliveryOptions,
		{
			displayName: 'Interactive Messages on Lite',
			name: 'unsupportedInteractive',
			type: 'options',
			displayOptions: { show: { '/backend': ['lite'], '/operation': interactiveOperations } },
			options: [
				{ name: 'Fail With an Error', value: 'fail' },
				{ name: 'Send as Text With Numbered Choices', value: 'sendAsText' },
			],
			default: 'fail',
			description: 'WhatsApp Web has no buttons or lists: what to do when this message goes through the Lite container',
		},
		{
			displayName: 'Add Random Reference',
			name: 'randomReference',
			type: 'boolean',
			default: false,
			description:
				'Whether a short reference code ("Ref. 7F3A2C") is added on its own line to the text or caption. No two messages of a campaign are then identical, which helps against WhatsApp Web spam detection.',
		},
		{
			displayName: 'Reply To Message ID',
			name: 'replyTo',
			type: 'string',
			default: '',
			description: "Quote an earlier message in this one: its message ID, e.g. the WhatsApp Trigger's messageId",
		},
	],
};

export const description: INodeProperties[] = [
	{ ...recipientProperty, displayOptions: SENDING },
	...sendText.description,
	...sendMedia.description,
	...sendLocation.description,
	...sendContacts.description,
	...liteInteractiveProperties,
	...interactiveFrameProperties,
	...sendButtons.description,
	...sendList.description,
	...sendCtaUrl.description,
	...sendFlow.description,
	...messageIdProperties,
	...sendReaction.description,
	...markAsRead.description,
	...sendAndWait.description,
	optionsProperty,
];

type Read = (parameters: ItemParameters, itemIndex: number) => Promise<OutboundMessage> | OutboundMessage;

/** The operations that send one message per item, each by its reader: the node's parameters as a backend-neutral message. */
const readers: Record<string, Read> = {
	sendText: sendText.read,
	sendMedia: sendMedia.read,
	sendLocation: sendLocation.read,
	sendContacts: sendContacts.read,
	sendButtons: sendButtons.read,
	sendList: sendList.read,
	sendCtaUrl: sendCtaUrl.read,
	sendFlow: sendFlow.read,
	sendReaction: sendReaction.read,
};

async function readMessage(parameters: ItemParameters, operation: string, itemIndex: number): Promise<OutboundMessage> {
	if (!Object.prototype.hasOwnProperty.call(readers, operation)) throw new Error(`Unknown operation "${operation}"`);
	return await readers[operation](parameters, itemIndex);
}

/**
 * WhatsApp Send's parameters for one item, read and checked into what the delivery engine runs (`runItems`).
 * A parameter without an expression is read from n8n once per execution, one with an expression per item
 * (itemParameters.ts); the message itself is read by its operation's reader (its .operation.ts file).
 */
function messagePlanner(context: IExecuteFunctions, channel: Channel): (itemIndex: number) => Promise<PlannedItem> {
	const parameters = itemParameters(context);
	const planItem = async (itemIndex: number): Promise<PlannedItem> => {
		const operation = parameters.text('operation', itemIndex);
		if (operation === 'markAsRead') return markAsRead.plan(parameters, itemIndex);
		const options = parameters.get('options', itemIndex, {}) as IDataObject;
		const read = await readMessage(parameters, operation, itemIndex);
		const message = options.randomReference ? withRandomReference(read) : read;
		validateMessage(message);
		const replyTo = String(options.replyTo ?? '').trim() || undefined;
		const envelope = adaptToChannel(
			{ to: parseRecipientOrBsuid(parameters.get('recipient', itemIndex), options.recipientUserId), replyTo, message },
			channel,
			(options.unsupportedInteractive as UnsupportedInteractive) ?? 'fail',
		);
		return { kind: 'send', envelope };
	};
	return planItem;
}

export async function execute(context: IExecuteFunctions, channel: Channel): Promise<INodeExecutionData[][]> {
	if (context.getNodeParameter('operation', 0) === SEND_AND_WAIT_OPERATION) return await sendAndWait.execute(context, channel);
	return [await runItems(context, channel, messagePlanner(context, channel))];
}
