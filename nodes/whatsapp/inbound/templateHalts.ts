import { recordTemplateStatus } from '../delivery/templateHealth';
import type { StateStore } from '../store/types';
import type { InboundEvent } from './event';

/**
 * Records the template status changes among verified events (a pause or disable stops the Cloud segments sending
 * that template; an approval lifts it), whatever the trigger's own filters. Opens the store only when there is one.
 */
export async function recordTemplateHalts(events: InboundEvent[], openStore: () => Promise<StateStore>): Promise<void> {
	const changes = events.flatMap(({ template }) =>
		template?.update === 'status' && template.id && template.status
			? [{ id: template.id, status: template.status, name: template.name, language: template.language, reason: template.reason }]
			: [],
	);
	if (!changes.length) return;
	const { templateHealth } = await openStore();
	for (const change of changes) await recordTemplateStatus(templateHealth, change);
}
