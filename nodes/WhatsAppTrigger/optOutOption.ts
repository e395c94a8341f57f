import type { IWebhookFunctions } from 'n8n-workflow';
import type { InboundEvent } from '../whatsapp/inbound/event';
import { recordOptOuts } from '../whatsapp/inbound/optOuts';
import { processStateStoreFor } from '../whatsapp/n8n/store';
import { optOutSettings } from './plan';

/** Record Opt-Outs: the events with each keyword message's `optOut`, its sender's list already changed. */
export async function withOptOutsRecorded(context: IWebhookFunctions, events: InboundEvent[]): Promise<InboundEvent[]> {
	const keywords = optOutSettings(context);
	if (!keywords) return events;
	return await recordOptOuts(events, (await processStateStoreFor(context)).optOuts, keywords, new Date());
}
