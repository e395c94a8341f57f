import type { Router } from '../http/router';
import { invalidRequest } from '../http/errors';
import { parseBulkRequest, type DelayLimits } from '../campaign/bulkRequest';
import type { CampaignStore } from '../campaign/store';
import type { CampaignEvent } from '../campaign/worker';

export interface CampaignRouteDeps {
	suitId: string;
	limits: DelayLimits;
	store: CampaignStore;
	report(event: CampaignEvent): void;
	queued(): void;
}

export function campaignRoutes(router: Router, deps: CampaignRouteDeps): void {
	router.add('POST', '/:suitId/send', async ({ params, body }) => {
		if (params.suitId !== deps.suitId) throw invalidRequest(`This gateway serves suit "${deps.suitId}", not "${params.suitId}"`, 'Post to /<SUIT_ID>/send with this gateway\'s SUIT_ID');
		const { settings, receivers, skipped } = parseBulkRequest(body, deps.limits);
		const fresh = new Set(await deps.store.enqueue(settings, receivers));
		for (const receiver of receivers) {
			if (!fresh.has(receiver)) skipped.push({ mobileNum: receiver.data.mobileNum, reason: 'already queued in this campaign' });
		}
		for (const skip of skipped) deps.report({ campaignId: settings.id, recipient: String(skip.mobileNum ?? ''), status: 'skipped', reason: skip.reason });
		if (fresh.size > 0) deps.queued();
		return { status: 202, body: { campaignId: settings.id, queued: fresh.size, skipped } };
	});
}
