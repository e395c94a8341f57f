import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';
import type { InboundEvent } from '../whatsapp/inbound/normalise';
import { DEFAULT_OPT_IN_KEYWORDS, DEFAULT_OPT_OUT_KEYWORDS, type OptOutKeywords, optOutKeywords, recordOptOuts } from '../whatsapp/inbound/optOuts';
import { processStateStoreFor } from '../whatsapp/n8n/store';

/**
 * The keywords when the trigger's Options say Record Opt-Outs (checked: activation refuses empty or overlapping
 * lists), else undefined.
 */
export function optOutSettings(options: IDataObject): OptOutKeywords | undefined {
	if (options.recordOptOuts !== true) return undefined;
	return optOutKeywords(String(options.optOutKeywords ?? DEFAULT_OPT_OUT_KEYWORDS), String(options.optInKeywords ?? DEFAULT_OPT_IN_KEYWORDS));
}

/** Record Opt-Outs: the events with each keyword message's `optOut`, its sender's list already changed. */
export async function withOptOutsRecorded(context: IWebhookFunctions, options: IDataObject, events: InboundEvent[]): Promise<InboundEvent[]> {
	const keywords = optOutSettings(options);
	if (!keywords) return events;
	return await recordOptOuts(events, (await processStateStoreFor(context)).optOuts, keywords, new Date());
}
