import type { ICredentialDataDecryptedObject, IDataObject, IHookFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';
import { transportFailure } from '../whatsapp/channel/http';
import type { LiteChannel } from '../whatsapp/channel/lite';
import type { CloudChannel } from '../whatsapp/channel/cloud';
import type { Backend, Channel } from '../whatsapp/channel/types';
import { buildFilter, type FilterSettings } from '../whatsapp/inbound/filters';
import { incomingMedia } from '../whatsapp/inbound/media';
import { INBOUND_STATUSES, type InboundEvent, type InboundEventKind } from '../whatsapp/inbound/normalise';
import type { InboundRequest } from '../whatsapp/inbound/receive';
import { cloudAppRegistration, liteEventsFor, liteRegistration, manualRegistration, type WebhookRegistration } from '../whatsapp/inbound/registration';
import { inboundSource, type InboundSource, type Reply } from '../whatsapp/inbound/source';
import { CREDENTIAL_TYPES, channelFor, channelFromContext } from '../whatsapp/n8n/channels';
import { TRIGGER_OPTION_DEFAULTS } from './description';

type TriggerContext = IHookFunctions | IWebhookFunctions;

const MB = 1024 * 1024;

function backendOf(context: TriggerContext): Backend {
	return context.getNodeParameter('backend', 'cloud') as Backend;
}

function eventsOf(context: TriggerContext): InboundEventKind[] {
	return context.getNodeParameter('events', ['message']) as InboundEventKind[];
}

export async function sourceFromContext(context: TriggerContext): Promise<InboundSource> {
	const backend = backendOf(context);
	return inboundSource(backend, await context.getCredentials(CREDENTIAL_TYPES[backend]));
}

export function filterSettings(context: TriggerContext): FilterSettings {
	const filters = context.getNodeParameter('filters', {}) as IDataObject;
	const statuses = (filters.statuses as string[] | undefined) ?? [];
	return {
		events: eventsOf(context),
		messageTypes: filters.messageTypes as string[] | undefined,
		statuses: statuses.length ? statuses : [...INBOUND_STATUSES],
		businessNumbers: filters.businessNumbers as string | undefined,
		senders: filters.senders as string | undefined,
		textMatch: filters.textMatch as FilterSettings['textMatch'],
		keywords: filters.keywords as string | undefined,
		caseSensitive: filters.caseSensitive as boolean | undefined,
	};
}

/** What activation checks before registering, so a trigger that could never start a workflow fails loudly. */
export async function assertUsable(context: IHookFunctions): Promise<void> {
	buildFilter(filterSettings(context));
	if (context.getNodeParameter('verifySignatures', true) === false) return;
	const missing = (await sourceFromContext(context)).missingSecret();
	if (missing) throw missing;
}

/** Graph calls with the app access token `<app-id>|<app-secret>`, which the app subscription API wants. */
function appChannel(context: IHookFunctions, credentials: ICredentialDataDecryptedObject, appId: string): CloudChannel {
	const appToken = `${appId}|${String(credentials.appSecret ?? '')}`;
	return channelFor('cloud', credentials, async (request) => {
		try {
			const response = await context.helpers.httpRequest({
				method: request.method,
				url: request.url,
				qs: request.qs,
				body: request.body as IDataObject | undefined,
				headers: { ...request.headers, Authorization: `Bearer ${appToken}` },
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
			});
			return { statusCode: response.statusCode, headers: response.headers ?? {}, body: response.body };
		} catch (error) {
			throw transportFailure(error, 'the Graph API');
		}
	}) as CloudChannel;
}

export async function registrationFromContext(context: IHookFunctions): Promise<WebhookRegistration> {
	const backend = backendOf(context);
	if (backend === 'lite') return liteRegistration((await channelFromContext(context, 'lite')) as LiteChannel, liteEventsFor(eventsOf(context)));
	if (!context.getNodeParameter('registerAutomatically', false)) return manualRegistration;
	const credentials = await context.getCredentials(CREDENTIAL_TYPES.cloud);
	const appId = String(context.getNodeParameter('appId', '')).trim();
	return cloudAppRegistration(appChannel(context, credentials, appId), {
		appId,
		verifyToken: String(credentials.verifyToken ?? ''),
		replaceExisting: context.getNodeParameter('replaceExisting', false) as boolean,
	});
}

/** The request as n8n received it; the raw bytes are what the signature covers. */
export async function inboundRequest(context: IWebhookFunctions): Promise<InboundRequest> {
	const request = context.getRequestObject();
	if (!request.rawBody && typeof request.readRawBody === 'function') await request.readRawBody();
	return {
		method: String(request.method ?? 'POST').toUpperCase(),
		rawBody: Buffer.isBuffer(request.rawBody) ? request.rawBody : Buffer.alloc(0),
		headers: context.getHeaderData() as Record<string, unknown>,
		query: context.getQueryData() as Record<string, unknown>,
	};
}

/** The user's Options collection (the parameter `options` is the hidden raw-body switch, see description.ts). */
export function triggerOptions(context: TriggerContext): IDataObject {
	return context.getNodeParameter('triggerOptions', {}) as IDataObject;
}

/**
 * Calls `settle` once the answer to this request went out: handed over when n8n answered 2xx, not when it
 * answered otherwise or the connection closed before an answer was complete.
 */
export function settleWhenAnswered(context: IWebhookFunctions, settle: (handedOver: boolean) => Promise<void>): void {
	const response = context.getResponseObject();
	let settled = false;
	const once = (handedOver: boolean) => {
		if (settled) return;
		settled = true;
		// A store that fails here leaves the claims pending; they lapse after PENDING_CLAIM_SECONDS.
		settle(handedOver).catch(() => undefined);
	};
	response.once('finish', () => once(response.statusCode >= 200 && response.statusCode < 300));
	response.once('close', () => once(false));
}

export function respond(context: IWebhookFunctions, reply: Reply): void {
	const response = context.getResponseObject();
	response.status(reply.status);
	response.setHeader('content-type', `${reply.contentType}; charset=utf-8`);
	response.end(reply.body);
}

/** Items for the workflow: the event as json, incoming media in binary when asked for (failures noted, not fatal). */
export async function eventItems(context: IWebhookFunctions, events: InboundEvent[]): Promise<INodeExecutionData[]> {
	const options = triggerOptions(context);
	const download = options.downloadMedia === true;
	const maxBytes = Math.floor(Number(options.maxMediaSizeMb ?? TRIGGER_OPTION_DEFAULTS.maxMediaSizeMb) * MB);
	const property = String(options.binaryPropertyName ?? TRIGGER_OPTION_DEFAULTS.binaryPropertyName);
	const channel: Channel | undefined = download ? await channelFromContext(context, backendOf(context)) : undefined;
	const credentialType = CREDENTIAL_TYPES[backendOf(context)];
	const downloadUrl = async (url: string) => {
		const body = await context.helpers.httpRequestWithAuthentication.call(context, credentialType, { url, method: 'GET', encoding: 'arraybuffer', json: false });
		return Buffer.from(body as ArrayBuffer);
	};

	return await Promise.all(
		events.map(async (event) => {
			const { media, ...rest } = event;
			// Inline Lite media goes to binary data, never into json; the round trip drops undefined fields.
			const json = JSON.parse(JSON.stringify({ ...rest, ...(media && { media: { ...media, data: undefined } }) })) as IDataObject;
			if (!channel || !media) return { json };
			try {
				const file = await incomingMedia(event, channel, downloadUrl, maxBytes);
				if (!file) return { json };
				return { json, binary: { [property]: await context.helpers.prepareBinaryData(file.data, file.fileName, file.mimeType) } };
			} catch (error) {
				(json.media as IDataObject).downloadError = (error as Error).message;
				return { json };
			}
		}),
	);
}
