import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHookFunctions,
	INode,
	INodeExecutionData,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { LiteChannel } from '../whatsapp/channel/lite';
import type { CloudChannel } from '../whatsapp/channel/cloud';
import type { Channel } from '../whatsapp/channel/types';
import { buildFilter } from '../whatsapp/inbound/filters';
import { jsonCopy } from '../whatsapp/inbound/normalise';
import { incomingMedia } from '../whatsapp/inbound/media';
import type { DeliveryReceipt } from '../whatsapp/inbound/dedupe';
import type { InboundEvent } from '../whatsapp/inbound/event';
import type { InboundRequest } from '../whatsapp/inbound/receive';
import {
	cloudAppRegistration,
	liteEventsFor,
	liteRegistration,
	manualRegistration,
	type WebhookRegistration,
} from '../whatsapp/inbound/registration';
import { subscribedFieldsFor } from '../../contract/cloudFields';
import { relayRegistration, relaySubscription } from '../whatsapp/inbound/relay';
import { inboundSource, relaySource, type InboundSource, type Reply } from '../whatsapp/inbound/source';
import {
	CREDENTIAL_TYPES,
	channelFor,
	channelFromContext,
	credentialDownloader,
	RELAY_CREDENTIAL_TYPE,
	relayFromContext,
} from '../whatsapp/n8n/channels';
import { recentCredentials } from '../whatsapp/n8n/recentCredentials';
import { helperRequester } from '../whatsapp/n8n/requesters';
import { causeOf, errorMessage } from '../../contract/log';
import {
	cloudRegistrationSettings,
	filterSettings,
	mediaSettings,
	optOutSettings,
	type TriggerParameters,
	triggerParameters,
	updatesCampaignReports,
} from './plan';

/**
 * The source for a webhook request, from the credential as read in the last few seconds (recentCredentials), or as
 * stored now when `fresh` (the GET handshake, and a signature the kept secret refused: it may be a new one).
 */
export async function requestSource(
	context: IWebhookFunctions,
	{ backend, reception }: TriggerParameters,
	node: INode,
	fresh: boolean,
): Promise<InboundSource> {
	if (throughRelay({ backend, reception }))
		return relaySource(
			await recentCredentials(context, RELAY_CREDENTIAL_TYPE, { node, fresh }),
			context.getNodeWebhookUrl('default') ?? '',
		);
	return inboundSource(backend, await recentCredentials(context, CREDENTIAL_TYPES[backend], { node, fresh }));
}

const throughRelay = ({ backend, reception }: Pick<TriggerParameters, 'backend' | 'reception'>) =>
	backend === 'cloud' && reception === 'relay';

/** What activation checks before registering, so a trigger that could never start a workflow fails loudly. */
export async function assertUsable(context: IHookFunctions): Promise<void> {
	const parameters = triggerParameters(context);
	buildFilter(filterSettings(parameters));
	optOutSettings(parameters);
	if (!parameters.verifySignatures) return;
	const credentials = await context.getCredentials(CREDENTIAL_TYPES[parameters.backend]);
	const missing = inboundSource(parameters.backend, credentials).missingSecret();
	if (missing) throw missing;
}

/** Graph calls with the app access token `<app-id>|<app-secret>`, which the app subscription API wants. */
function appChannel(context: IHookFunctions, credentials: ICredentialDataDecryptedObject, appId: string): CloudChannel {
	const appToken = `${appId}|${String(credentials.appSecret ?? '')}`;
	const request = helperRequester('the Graph API', async (options) => await context.helpers.httpRequest(options), {
		Authorization: `Bearer ${appToken}`,
	});
	return channelFor('cloud', credentials, request) as CloudChannel;
}

export async function registrationFromContext(context: IHookFunctions): Promise<WebhookRegistration> {
	const parameters = triggerParameters(context);
	if (parameters.backend === 'lite')
		return liteRegistration((await channelFromContext(context, 'lite')) as LiteChannel, liteSubscription(parameters));
	if (throughRelay(parameters)) {
		const { channel, credentials } = await relayFromContext(context);
		const subscription = relaySubscription(
			filterSettings(parameters),
			String(credentials.app ?? '').trim(),
			updatesCampaignReports(parameters),
		);
		return relayRegistration(channel, subscription, String(credentials.apiKey ?? ''));
	}
	const settings = cloudRegistrationSettings(context);
	if (!settings.automatic) return manualRegistration;
	const credentials = await context.getCredentials(CREDENTIAL_TYPES.cloud);
	return cloudAppRegistration(appChannel(context, credentials, settings.appId), {
		appId: settings.appId,
		verifyToken: String(credentials.verifyToken ?? ''),
		replaceExisting: settings.replaceExisting,
		fields: subscribedFieldsFor(parameters.events),
	});
}

/**
 * The request as n8n received it; the raw bytes are what the signature covers. Undefined when the sender went away
 * before its body arrived (e.g. a gateway killed mid-delivery): nothing is started and nobody is left to answer; the
 * sender delivers again.
 */
export async function inboundRequest(context: IWebhookFunctions): Promise<InboundRequest | undefined> {
	const request = context.getRequestObject();
	if (!request.rawBody && typeof request.readRawBody === 'function') {
		try {
			await request.readRawBody();
		} catch (error) {
			if (!request.destroyed && !request.readableAborted)
				throw new NodeOperationError(context.getNode(), error instanceof Error ? error : errorMessage(error));
			context.logger.warn('WhatsApp Trigger: the sender closed the connection before its body arrived', causeOf(error));
			return undefined;
		}
	}
	return {
		method: String(request.method ?? 'POST').toUpperCase(),
		rawBody: Buffer.isBuffer(request.rawBody) ? request.rawBody : Buffer.alloc(0),
		headers: context.getHeaderData() as Record<string, unknown>,
		query: context.getQueryData() as Record<string, unknown>,
	};
}

/**
 * The container's events to send: the chosen ones (refused when none is a Lite event), and acks and messages when
 * they update campaign reports.
 */
function liteSubscription(parameters: TriggerParameters): string[] {
	const chosen = liteEventsFor(parameters.events);
	return updatesCampaignReports(parameters) ? liteEventsFor([...parameters.events, 'status', 'message']) : chosen;
}

/**
 * Calls `settle` once the answer to this request went out: handed over when n8n answered 2xx, given back when it
 * answered otherwise. When the sender closed the connection first (it gave up waiting), whether n8n stored the
 * execution is unknown: the claims stay pending, the execution confirms them when it runs (takeReceipt), and
 * they lapse after PENDING_CLAIM_SECONDS when it never does; a redelivery meanwhile is told to come back later.
 */
export function settleWhenAnswered(context: IWebhookFunctions, settle: (handedOver: boolean) => Promise<void>): void {
	const response = context.getResponseObject();
	const { logger } = context;
	// A store that fails here leaves the claims pending; they lapse after PENDING_CLAIM_SECONDS.
	response.once(
		'finish',
		() =>
			void settle(response.statusCode >= 200 && response.statusCode < 300).catch((error: unknown) =>
				logger.warn('WhatsApp Trigger could not settle a delivery (its claims lapse on their own)', causeOf(error)),
			),
	);
}

/** The field of the first event item that carries the delivery's receipt from webhook() into execute(). */
const RECEIPT_FIELD = '$deliveryReceipt';

export function attachReceipt(items: INodeExecutionData[], receipt: DeliveryReceipt | undefined): INodeExecutionData[] {
	if (receipt && items[0]) items[0].json[RECEIPT_FIELD] = receipt as unknown as IDataObject;
	return items;
}

/** The events without the receipt, and the receipt (absent in a manual run or with pinned data). */
export function takeReceipt(items: INodeExecutionData[]): { events: INodeExecutionData[]; receipt?: DeliveryReceipt } {
	const receipt = items[0]?.json[RECEIPT_FIELD] as DeliveryReceipt | undefined;
	if (!receipt) return { events: items };
	// A rest copy, not `delete`: an object that lost a key is slow for everything n8n does with it afterwards.
	const { [RECEIPT_FIELD]: _receipt, ...json } = items[0].json;
	return { events: [{ ...items[0], json }, ...items.slice(1)], receipt };
}

/** A delivery that starts nothing: a refusal is a warning (with its reason, never a secret), the rest is debug. */
export function logUnstarted(context: IWebhookFunctions, reply: Reply): void {
	if (reply.status >= 400) context.logger.warn('WhatsApp Trigger refused a delivery', { status: reply.status, reason: reply.body });
	else context.logger.debug('WhatsApp Trigger answered a delivery that starts no workflow', { status: reply.status });
}

export function respond(context: IWebhookFunctions, reply: Reply): void {
	const response = context.getResponseObject();
	response.status(reply.status);
	response.setHeader('content-type', `${reply.contentType}; charset=utf-8`);
	response.end(reply.body);
}

/** Items for the workflow: the event as json, incoming media in binary when asked for (failures noted, not fatal). */
export async function eventItems(
	context: IWebhookFunctions,
	parameters: TriggerParameters,
	events: InboundEvent[],
): Promise<INodeExecutionData[]> {
	const { download, maxBytes, property } = mediaSettings(parameters);
	const channel: Channel | undefined = download ? await channelFromContext(context, parameters.backend) : undefined;
	const downloadUrl = download ? await credentialDownloader(context, parameters.backend) : undefined;

	return await Promise.all(
		events.map(async (event) => {
			const { media, ...rest } = event;
			// Inline Lite media goes to binary data, never into json.
			const json = jsonCopy({ ...rest, ...(media && { media: { ...media, data: undefined } }) }) as IDataObject;
			if (!channel || !downloadUrl || !media) return { json };
			try {
				const file = await incomingMedia(event, channel, downloadUrl, maxBytes);
				if (!file) return { json };
				return { json, binary: { [property]: await context.helpers.prepareBinaryData(file.data, file.fileName, file.mimeType) } };
			} catch (error) {
				(json.media as IDataObject).downloadError = errorMessage(error);
				context.logger.warn('WhatsApp Trigger could not download an incoming media file', causeOf(error));
				return { json };
			}
		}),
	);
}
