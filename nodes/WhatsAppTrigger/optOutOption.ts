import type { InboundEvent } from '../whatsapp/inbound/event';
import { recordOptOuts } from '../whatsapp/inbound/optOuts';
import type { StateStore } from '../whatsapp/store/types';
import { optOutSettings, type TriggerParameters } from './plan';

/** Record Opt-Outs: the events with each keyword message's `optOut`, its sender's list already changed. */
export async function withOptOutsRecorded(
	parameters: TriggerParameters,
	openStore: () => Promise<StateStore>,
	events: InboundEvent[],
): Promise<InboundEvent[]> {
	const keywords = optOutSettings(parameters);
	if (!keywords) return events;
	return await recordOptOuts(events, (await openStore()).optOuts, keywords, new Date());
}
