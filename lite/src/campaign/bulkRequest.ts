import { randomUUID } from 'node:crypto';
import { recipientAddress } from '../../../nodes/whatsapp/phone';
import { invalidRequest, isApiError } from '../http/errors';
import { outgoingMessage, recipientOf, type MessageLimits } from '../send/request';

export interface CampaignSettings {
	id: string;
	name?: string;
	/** The message with its `{{…}}` placeholders. */
	template: string;
	/** The rest of the UOWHATSAPP object (imageUrl, media, …), sent with every message. */
	fields: Record<string, unknown>;
	minDelayMinutes: number;
	maxDelayMinutes: number;
	randomDelay: boolean;
	randomString: boolean;
}

export interface QueuedReceiver {
	/** Normalised digits or group ID: the receiver's identity within its campaign. */
	recipient: string;
	userID?: string;
	/** The receiver object as given, for the placeholders. */
	data: Record<string, unknown>;
}

export interface Skipped {
	mobileNum: unknown;
	reason: string;
}

export interface BulkLimits extends MessageLimits {
	minDelayMinutes: number;
	maxDelayMinutes: number;
	maxReceiversPerRequest: number;
}

function delay(value: unknown, field: string, fallback: number): number {
	if (value === undefined || value === null || value === '') return fallback;
	const minutes = Number(value);
	if (!Number.isFinite(minutes) || minutes < 0) throw invalidRequest(`UOWHATSAPP.${field} must be a number of minutes`);
	return minutes;
}

/**
 * Reads a Notify bulk body (`{"UOWHATSAPP": {...}, "campaign_id", "campaign_name"}`). The request's delays can
 * lengthen the gateway's, never shorten them below MIN_DELAY_MINUTES.
 */
export function parseBulkRequest(
	body: Record<string, unknown>,
	limits: BulkLimits,
): { settings: CampaignSettings; receivers: QueuedReceiver[]; skipped: Skipped[] } {
	const uo = body.UOWHATSAPP;
	if (!uo || typeof uo !== 'object' || Array.isArray(uo))
		throw invalidRequest('UOWHATSAPP is missing: send {"UOWHATSAPP": {"message", "receivers": [...]}, "campaign_id", "campaign_name"}');
	const { receivers, message, random_delay, min_delay, max_delay, random_string, ...fields } = uo as Record<string, unknown>;
	if (!Array.isArray(receivers) || receivers.length === 0)
		throw invalidRequest('UOWHATSAPP.receivers must be a non-empty list of {"mobileNum", "userID"}');
	if (receivers.length > limits.maxReceiversPerRequest) {
		throw invalidRequest(
			`UOWHATSAPP.receivers has ${receivers.length} entries, more than this gateway's limit of ${limits.maxReceiversPerRequest} per request (MAX_RECEIVERS_PER_REQUEST)`,
			`Send the segment in chunks of at most ${limits.maxReceiversPerRequest} receivers with the same campaign_id`,
		);
	}
	const template = typeof message === 'string' ? message : '';
	outgoingMessage({ ...fields, message: template }, limits);
	const minDelayMinutes = Math.max(limits.minDelayMinutes, delay(min_delay, 'min_delay', limits.minDelayMinutes));
	const settings: CampaignSettings = {
		id: typeof body.campaign_id === 'string' && body.campaign_id ? body.campaign_id : `cmp_${randomUUID()}`,
		...(typeof body.campaign_name === 'string' && { name: body.campaign_name }),
		template,
		fields,
		minDelayMinutes,
		maxDelayMinutes: Math.max(minDelayMinutes, delay(max_delay, 'max_delay', limits.maxDelayMinutes)),
		randomDelay: random_delay !== false,
		randomString: random_string === true,
	};
	const queued: QueuedReceiver[] = [];
	const skipped: Skipped[] = [];
	const seen = new Set<string>();
	for (const receiver of receivers as unknown[]) {
		const data = (receiver && typeof receiver === 'object' ? receiver : { mobileNum: receiver }) as Record<string, unknown>;
		try {
			const recipient = recipientAddress(recipientOf(data.mobileNum, 'mobileNum'));
			if (seen.has(recipient)) {
				skipped.push({ mobileNum: data.mobileNum, reason: 'listed more than once' });
				continue;
			}
			seen.add(recipient);
			queued.push({ recipient, ...(data.userID !== undefined && { userID: String(data.userID) }), data });
		} catch (error) {
			if (!isApiError(error)) throw error;
			skipped.push({ mobileNum: data.mobileNum, reason: error.message });
		}
	}
	return { settings, receivers: queued, skipped };
}
