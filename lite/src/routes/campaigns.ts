import { DEFAULT_REPORT_PAGE, MAX_REPORT_PAGE } from '../../../contract/limits';
import { bulkRequestSchema, parseBulkRequest, type BulkLimits } from '../campaign/bulkRequest';
import { reportReceiver, type CampaignReporter } from '../campaign/events';
import type { CampaignStore } from '../campaign/store';
import { crashPoint } from '../faults';
import { campaignNotFound, invalidRequest } from '../http/errors';
import type { Router } from '../http/router';
import { id, queryInteger, validated, z } from '../http/schema';
import type { OptOutGate } from '../optOuts';
import type { QuotaGate } from '../quota';

export interface CampaignRouteDeps {
	suitId: string;
	limits: BulkLimits;
	store: CampaignStore;
	quota: QuotaGate;
	/** Receivers on the suit's opt-out list are refused (in `skipped`, with the date and keyword). */
	optOuts: OptOutGate;
	report: CampaignReporter;
	/** Something new to send (queued or resumed): wakes the worker. */
	wake(): void;
}

const campaignPath = z.object({ params: z.object({ suitId: id(), campaignId: id() }) });
const campaignView = campaignPath.extend({
	query: z.object({ offset: queryInteger(Number.MAX_SAFE_INTEGER, 0), limit: queryInteger(MAX_REPORT_PAGE, DEFAULT_REPORT_PAGE) }),
});

export function campaignRoutes(router: Router, deps: CampaignRouteDeps): void {
	const suitOnly = (suitId: string) => {
		if (suitId !== deps.suitId)
			throw invalidRequest(`This gateway serves suit "${deps.suitId}", not "${suitId}"`, "Use this gateway's SUIT_ID in the path");
	};

	const bulkRequest = bulkRequestSchema(deps.limits).extend({ params: z.object({ suitId: id() }) });
	router.add('POST', '/:suitId/send', async (request) => {
		const { params, body } = validated(bulkRequest, request);
		suitOnly(params.suitId);
		const { settings, receivers: parsed, skipped } = parseBulkRequest(body, deps.limits);
		const optedOut = await deps.optOuts.refusals(parsed.map((receiver) => receiver.recipient));
		parsed.forEach((receiver, index) => optedOut[index] && skipped.push({ mobileNum: receiver.data.mobileNum, reason: optedOut[index] }));
		const receivers = parsed.filter((_, index) => !optedOut[index]);
		const { queued, alreadyQueued, cancelled } = await deps.store.enqueue(settings, receivers, new Date());
		crashPoint('enqueue');
		const refused = new Set(cancelled);
		for (const receiver of receivers)
			if (refused.has(receiver.recipient)) skipped.push({ mobileNum: receiver.data.mobileNum, reason: 'campaign cancelled' });
		for (const skip of skipped)
			reportReceiver(deps.report, settings.id, { recipient: String(skip.mobileNum ?? '') }, { state: 'skipped', reason: skip.reason });
		if (queued > 0) deps.wake();
		return { status: 202, body: { campaignId: settings.id, queued, alreadyQueued, skipped } };
	});

	router.add('GET', '/:suitId/campaigns/:campaignId', async (request) => {
		const { params, query } = validated(campaignView, request);
		suitOnly(params.suitId);
		const { offset, limit } = query;
		const view = await deps.store.view(params.campaignId, offset, limit);
		if (!view) throw campaignNotFound(params.campaignId);
		const quota = await deps.quota.state();
		const waiting = view.state === 'running' && view.counts.queued > 0;
		// A used-up quota holds every running campaign of the suit until it resets (the worker waits for resetAt).
		const pausedByQuota = waiting && quota.used >= quota.limit;
		const nextSendAt = pausedByQuota
			? quota.resetAt
			: waiting
				? new Date(Math.max(await deps.store.nextCampaignSendAt(params.campaignId), Date.now())).toISOString()
				: null;
		const { total, items, ...campaign } = view;
		const state = pausedByQuota ? 'paused (quota)' : view.state;
		return { status: 200, body: { ...campaign, state, nextSendAt, quota, recipients: { offset, limit, total, items } } };
	});

	for (const action of ['pause', 'resume', 'cancel'] as const) {
		router.add('POST', `/:suitId/campaigns/:campaignId/${action}`, async (request) => {
			const { params } = validated(campaignPath, request);
			suitOnly(params.suitId);
			const answer = await deps.store.control(params.campaignId, action, new Date());
			if (!answer) throw campaignNotFound(params.campaignId);
			for (const receiver of answer.skipped)
				reportReceiver(deps.report, params.campaignId, receiver, { state: 'skipped', reason: 'campaign cancelled' });
			// The worker reports `finished` for a cancelled campaign once nothing of it is in flight.
			deps.wake();
			return { status: 200, body: { campaignId: params.campaignId, state: answer.state } };
		});
	}
}
