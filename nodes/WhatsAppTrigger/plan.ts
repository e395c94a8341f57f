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

export function backendOf(context: TriggerContext): Backend {
	return context.getNodeParameter('backend', 'cloud') as Backend;
}

export function eventsOf(context: TriggerContext): InboundEventKind[] {
	return context.getNodeParameter('events', ['message']) as InboundEventKind[];
}

/** The user's Options collection (the parameter `options` is the hidden raw-body switch, see description.ts). */
function triggerOptions(context: TriggerContext): IDataObject {
	return context.getNodeParameter('triggerOptions', {}) as IDataObject;
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

export function verifiesSignatures(context: TriggerContext): boolean {
	return context.getNodeParameter('verifySignatures', true) as boolean;
}

/** Whether statuses and replies update campaign reports (the option is on unless turned off). */
export function updatesCampaignReports(context: TriggerContext): boolean {
	return triggerOptions(context).updateCampaignReports !== false;
}

/** How a delivery is checked and de-duplicated. */
export function receptionSettings(context: TriggerContext): Pick<ReceiveOptions, 'verifySignatures' | 'dedupeWindowSeconds'> {
	return {
		verifySignatures: verifiesSignatures(context),
		dedupeWindowSeconds: Math.round(
			Number(triggerOptions(context).dedupeWindowMinutes ?? TRIGGER_OPTION_DEFAULTS.dedupeWindowMinutes) * 60,
		),
	};
}

/**
 * The keywords when the Options say Record Opt-Outs (checked: activation refuses empty or overlapping lists),
 * else undefined.
 */
export function optOutSettings(context: TriggerContext): OptOutKeywords | undefined {
	const options = triggerOptions(context);
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

export function mediaSettings(context: TriggerContext): MediaSettings {
	const options = triggerOptions(context);
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
