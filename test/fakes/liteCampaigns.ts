import { isApiError } from '../../lite/src/http/errors';
import { type CampaignSettings, parseBulkRequest } from '../../lite/src/campaign/bulkRequest';
import { loadConfig } from '../../lite/src/config';
import type { OptOutGate } from '../../lite/src/optOuts';
import { renderAutomator } from '../../contract/automator';

/** The campaign side of the fake Lite container, per docs/lite-api.md ("Hand-off" and "Following a campaign"). */

const MAX_PAGE = 500;

type ReceiverState = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped' | 'unknown';

export interface FakeReceiver {
	recipient: string;
	userID?: string;
	data: Record<string, unknown>;
	state: ReceiverState;
	messageId?: string;
	reason?: string;
	updatedAt: string;
}

export interface FakeCampaign {
	settings: CampaignSettings;
	state: 'running' | 'paused' | 'cancelled' | 'finished';
	receivers: Map<string, FakeReceiver>;
}

export interface Answer {
	status: number;
	body: unknown;
}

/** The gateway's limits for its request reading, with the sandbox's zero delays (the fake sends without waiting). */
/** The gateway's limits with nothing configured, and no minimum delay (the fake never waits). */
const LIMITS = { ...loadConfig({}), minDelayMinutes: 0, maxDelayMinutes: 0 };

const apiError = (status: number, code: string, message: string, fix: string): Answer => ({
	status,
	body: { error: { code, message, fix } },
});

/** What must be equal for a later chunk to join a campaign: its message and delays. */
const settingsShape = (settings: CampaignSettings) =>
	JSON.stringify({
		template: settings.template,
		fields: settings.fields,
		min: settings.minDelayMinutes,
		max: settings.maxDelayMinutes,
		random: settings.randomDelay,
		randomString: settings.randomString,
	});

export class FakeCampaigns {
	readonly campaigns = new Map<string, FakeCampaign>();
	/** The suit's opt-out list in a shared Redis (none: no list, as a gateway without REDIS_URL). */
	optOuts?: OptOutGate;

	/** `POST /{suit_id}/send`: atomic per request, idempotent per campaign and receiver; opted-out receivers refused. */
	async enqueue(body: Record<string, unknown>): Promise<Answer> {
		let parsed: ReturnType<typeof parseBulkRequest>;
		try {
			parsed = parseBulkRequest(body, LIMITS);
		} catch (error) {
			if (isApiError(error)) return { status: error.status, body: error.body() };
			throw error;
		}
		const { settings } = parsed;
		const existing = this.campaigns.get(settings.id);
		if (existing && settingsShape(existing.settings) !== settingsShape(settings)) {
			return apiError(
				409,
				'CAMPAIGN_SETTINGS_DIFFER',
				`Campaign ${settings.id} was queued with another message or other delays`,
				'Use a new campaign_id, or the settings of its first request',
			);
		}
		const campaign = existing ?? { settings, state: 'running' as const, receivers: new Map<string, FakeReceiver>() };
		this.campaigns.set(settings.id, campaign);
		const skipped = parsed.skipped.map((skip) => ({ mobileNum: skip.mobileNum, reason: skip.reason }));
		const alreadyQueued: string[] = [];
		let queued = 0;
		const optedOut = (await this.optOuts?.refusals(parsed.receivers.map((receiver) => receiver.recipient))) ?? [];
		for (const [index, receiver] of parsed.receivers.entries()) {
			if (optedOut[index]) skipped.push({ mobileNum: receiver.data.mobileNum, reason: optedOut[index] });
			else if (campaign.receivers.has(receiver.recipient)) alreadyQueued.push(receiver.recipient);
			else if (campaign.state === 'cancelled') skipped.push({ mobileNum: receiver.data.mobileNum, reason: 'campaign cancelled' });
			else {
				campaign.receivers.set(receiver.recipient, { ...receiver, state: 'queued', updatedAt: new Date().toISOString() });
				queued++;
			}
		}
		if (queued && campaign.state === 'finished') campaign.state = 'running';
		return { status: 202, body: { campaignId: settings.id, queued, alreadyQueued, skipped } };
	}

	/** `GET /{suit_id}/campaigns/{id}`. */
	report(id: string, query: URLSearchParams, quota: { used: number; limit: number; resetAt: string }): Answer {
		const campaign = this.campaigns.get(id);
		if (!campaign) return notFound(id);
		const offset = Number(query.get('offset') ?? 0);
		const limit = Number(query.get('limit') ?? 100);
		if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_PAGE) || !(Number.isInteger(offset) && offset >= 0)) {
			return apiError(
				400,
				'INVALID_REQUEST',
				`limit ${limit} must be 1 to ${MAX_PAGE} and offset ${offset} at least 0`,
				'Page through the recipients',
			);
		}
		const all = [...campaign.receivers.values()];
		const counts = { queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 };
		for (const receiver of all) counts[receiver.state]++;
		const items = all.slice(offset, offset + limit).map(({ recipient, userID, state, messageId, reason, updatedAt }) => ({
			recipient,
			...(userID && { userID }),
			state,
			...(messageId && { messageId }),
			...(reason && { reason }),
			updatedAt,
		}));
		return {
			status: 200,
			body: {
				campaignId: id,
				...(campaign.settings.name && { name: campaign.settings.name }),
				state: campaign.state,
				counts,
				nextSendAt: campaign.state === 'running' && counts.queued ? new Date().toISOString() : null,
				quota,
				recipients: { offset, limit, total: all.length, items },
			},
		};
	}

	/** `POST /{suit_id}/campaigns/{id}/pause|resume|cancel`. */
	control(id: string, action: string): Answer {
		const campaign = this.campaigns.get(id);
		if (!campaign) return notFound(id);
		if (action === 'pause' && campaign.state === 'running') campaign.state = 'paused';
		if (action === 'resume' && campaign.state === 'paused') campaign.state = 'running';
		if (action === 'cancel' && campaign.state !== 'finished') {
			campaign.state = 'cancelled';
			for (const receiver of campaign.receivers.values()) {
				if (receiver.state === 'queued')
					Object.assign(receiver, { state: 'skipped', reason: 'campaign cancelled', updatedAt: new Date().toISOString() });
			}
		}
		return { status: 200, body: { campaignId: id, state: campaign.state } };
	}

	/**
	 * Sends every queued receiver of the running campaigns, as the gateway's worker would (without its delays):
	 * `send` takes one message and returns its ID, or undefined when the quota is used up (the campaign waits).
	 */
	runQueued(send: (message: Record<string, unknown>) => string | undefined): void {
		for (const [campaignId, campaign] of this.campaigns) {
			if (campaign.state !== 'running') continue;
			for (const receiver of campaign.receivers.values()) {
				if (receiver.state !== 'queued') continue;
				const messageId = send({
					...campaign.settings.fields,
					number: receiver.recipient,
					message: renderAutomator(campaign.settings.template, receiver.data).text,
					campaignId,
				});
				if (!messageId) return;
				Object.assign(receiver, { state: 'sent', messageId, updatedAt: new Date().toISOString() });
			}
			campaign.state = 'finished';
		}
	}
}

function notFound(id: string): Answer {
	return apiError(404, 'CAMPAIGN_NOT_FOUND', `No campaign ${id}`, 'Use the campaignId the hand-off returned');
}
