import { parseBulkRequest, type BulkLimits } from '../campaign/bulkRequest';
import { reportReceiver, type CampaignReporter } from '../campaign/events';
import type { CampaignStore } from '../campaign/store';
import { crashPoint } from '../faults';
import { campaignNotFound, invalidRequest } from '../http/errors';
import type { Router } from '../http/router';
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

const MAX_PAGE = 500;

function pageNumber(raw: string | undefined, field: string, fallback: number, max: number): number {
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 0 || value > max)
		throw invalidRequest(`${field}="${raw}" must be a whole number from 0 to ${max}`);
	return value;
}

export function campaignRoutes(router: Router, deps: CampaignRouteDeps): void {
	const suitOnly = (suitId: string) => {
		if (suitId !== deps.suitId)
			throw invalidRequest(`This gateway serves suit "${deps.suitId}", not "${suitId}"`, "Use this gateway's SUIT_ID in the path");
	};

	router.add('POST', '/:suitId/send', async ({ params, body }) => {
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

	router.add('GET', '/:suitId/campaigns/:campaignId', async ({ params, query }) => {
		suitOnly(params.suitId);
		const offset = pageNumber(query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
		const limit = pageNumber(query.limit, 'limit', 100, MAX_PAGE);
		const view = await deps.store.view(params.campaignId, offset, limit);
		if (!view) throw campaignNotFound(params.campaignId);
		const nextSendAt =
			view.state === 'running' && view.counts.queued > 0
				? new Date(Math.max(await deps.store.nextCampaignSendAt(), Date.now())).toISOString()
				: null;
		const { total, items, ...campaign } = view;
		return { status: 200, body: { ...campaign, nextSendAt, quota: await deps.quota.state(), recipients: { offset, limit, total, items } } };
	});

	for (const action of ['pause', 'resume', 'cancel'] as const) {
		router.add('POST', `/:suitId/campaigns/:campaignId/${action}`, async ({ params }) => {
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
