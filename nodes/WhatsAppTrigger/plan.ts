import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import type { Backend } from '../whatsapp/channel/types';
import type { FilterSettings } from '../whatsapp/inbound/filters';
import { INBOUND_STATUSES, type InboundEventKind } from '../whatsapp/inbound/event';
import { DEFAULT_OPT_IN_KEYWORDS, DEFAULT_OPT_OUT_KEYWORDS, type OptOutKeywords, optOutKeywords } from '../whatsapp/inbound/optOuts';
import type { ReceiveOptions } from '../whatsapp/inbound/receive';
import { TRIGGER_OPTION_DEFAULTS } from './description';

// The trigger's parameters, read into the inbound engine's settings; the node file and triggerContext.ts only wire.

type TriggerContext = IHookFunctions | IWebhookFunctions;

const MB = 1024 * 1024;

/**
 * The trigger's parameters, each read once per request or hook call: n8n resolves, copies and checks a parameter
 * on every read, which costs as much as the rest of a webhook request's own work.
 */
/** Cloud: whether Meta posts to this trigger itself, or the relay passes it the events it registered for. */
export type Reception = 'meta' | 'relay';

export interface TriggerParameters {
	backend: Backend;
	reception: Reception;
	events: InboundEventKind[];
	verifySignatures: boolean;
	filters: IDataObject;
	/** The user's Options collection (the parameter `options` is the hidden raw-body switch, see description.ts). */
	options: IDataObject;
}

export function triggerParameters(context: TriggerContext): TriggerParameters {
	return {
		backend: context.getNodeParameter('backend', 'cloud') as Backend,
		reception: context.getNodeParameter('reception', 'meta') as Reception,
		events: context.getNodeParameter('events', ['message']) as InboundEventKind[],
		verifySignatures: context.getNodeParameter('verifySignatures', true) as boolean,
		filters: context.getNodeParameter('filters', {}) as IDataObject,
		options: context.getNodeParameter('triggerOptions', {}) as IDataObject,
	};
}

export function filterSettings({ events, filters }: TriggerParameters): FilterSettings {
	const statuses = (filters.statuses as string[] | undefined) ?? [];
	return {
		events,
		messageTypes: filters.messageTypes as string[] | undefined,
		statuses: statuses.length ? statuses : [...INBOUND_STATUSES],
		businessNumbers: filters.businessNumbers as string | undefined,
		senders: filters.senders as string | undefined,
		textMatch: filters.textMatch as FilterSettings['textMatch'],
		keywords: filters.keywords as string | undefined,
		caseSensitive: filters.caseSensitive as boolean | undefined,
	};
}

/** Whether statuses and replies update campaign reports (the option is on unless turned off). */
export function updatesCampaignReports({ options }: TriggerParameters): boolean {
	return options.updateCampaignReports !== false;
}

/** How a delivery is checked and de-duplicated. */
export function receptionSettings({
	verifySignatures,
	options,
}: TriggerParameters): Pick<ReceiveOptions, 'verifySignatures' | 'dedupeWindowSeconds'> {
	return {
		verifySignatures,
		dedupeWindowSeconds: Math.round(Number(options.dedupeWindowMinutes ?? TRIGGER_OPTION_DEFAULTS.dedupeWindowMinutes) * 60),
	};
}

/**
 * The keywords when the Options say Record Opt-Outs (checked: activation refuses empty or overlapping lists),
 * else undefined.
 */
export function optOutSettings({ options }: TriggerParameters): OptOutKeywords | undefined {
	if (options.recordOptOuts !== true) return undefined;
	return optOutKeywords(
		String(options.optOutKeywords ?? DEFAULT_OPT_OUT_KEYWORDS),
		String(options.optInKeywords ?? DEFAULT_OPT_IN_KEYWORDS),
	);
}

export interface MediaSettings {
	download: boolean;
	maxBytes: number;
	/** The binary property incoming media goes to. */
	property: string;
}

export function mediaSettings({ options }: TriggerParameters): MediaSettings {
	return {
		download: options.downloadMedia === true,
		maxBytes: Math.floor(Number(options.maxMediaSizeMb ?? TRIGGER_OPTION_DEFAULTS.maxMediaSizeMb) * MB),
		property: String(options.binaryPropertyName ?? TRIGGER_OPTION_DEFAULTS.binaryPropertyName),
	};
}

/** Cloud only: whether and how the trigger subscribes the Meta app to its webhook itself. */
export interface CloudRegistrationSettings {
	automatic: boolean;
	appId: string;
	replaceExisting: boolean;
}

export function cloudRegistrationSettings(context: IHookFunctions): CloudRegistrationSettings {
	return {
		automatic: context.getNodeParameter('registerAutomatically', false) as boolean,
		appId: String(context.getNodeParameter('appId', '')).trim(),
		replaceExisting: context.getNodeParameter('replaceExisting', false) as boolean,
	};
}
