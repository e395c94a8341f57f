import { randomUUID } from 'node:crypto';
import { MAX_DELAY_MINUTES } from '../../../contract/limits';
import { recipientAddress } from '../../../contract/phone';
import { isApiError } from '../http/errors';
import { id, numeric, text, z } from '../http/schema';
import { messageFieldsSchema, recipientOf, recipientText, outgoingMessage, type MessageFields, type MessageLimits } from '../send/request';

export interface CampaignSettings {
	id: string;
	name?: string;
	/** The message with its `{{…}}` placeholders. */
	template: string;
	/** The rest of the UOWHATSAPP object (imageUrl, media, …), sent with every message. */
	fields: Omit<MessageFields, 'message'>;
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

/**
 * The longest campaign gap a request may ask for, in minutes: one day. WhatsApp-safe gaps are minutes; a longer
 * gap only makes a campaign last weeks (its data expires CAMPAIGN_RETENTION_DAYS after its last change), and a
 * bound keeps every gap a finite, exact number of milliseconds (1e308 minutes is Infinity ms).
 */
const DELAY_RULE = `a number of minutes from 0 to ${MAX_DELAY_MINUTES} (one day)`;
const MAX_CAMPAIGN_NAME = 200;
const MAX_USER_ID = 128;

/** One Notify request (`POST /{suit_id}/send`): its schema, built once from the gateway's limits. */
export function bulkRequestSchema(limits: BulkLimits) {
	const max = limits.maxReceiversPerRequest;
	const receiver = z.union(
		[
			recipientText.transform((mobileNum) => ({ mobileNum }) as Record<string, unknown>),
			// Any other key of a receiver is data for the placeholders ({{user.name}}, {{city}}).
			z.object({ mobileNum: recipientText, userID: z.union([text(MAX_USER_ID), z.number()]).optional() }).passthrough(),
		],
		{ errorMap: () => ({ message: 'a number as a string, or an object {"mobileNum", "userID", "user"}' }) },
	);
	// "" and null mean "the gateway's default", as Notify clients send them.
	const delay = z.preprocess(
		(value) => (value === '' || value === null ? undefined : value),
		numeric(0, MAX_DELAY_MINUTES, DELAY_RULE).optional(),
	);
	return z.object({
		body: z.object({
			UOWHATSAPP: messageFieldsSchema(limits)
				.extend({
					receivers: z
						.array(receiver, { message: 'a non-empty list of {"mobileNum", "userID"}' })
						.min(1, 'a non-empty list of {"mobileNum", "userID"}')
						.max(
							max,
							`a list of at most ${max} receivers, this gateway's limit of ${max} per request (MAX_RECEIVERS_PER_REQUEST): send the segment in chunks of at most ${max} with the same campaign_id`,
						),
					random_delay: z.boolean({ message: 'true or false' }).nullish(),
					random_string: z.boolean({ message: 'true or false' }).nullish(),
					min_delay: delay,
					max_delay: delay,
				})
				.nullish()
				.refine((uo) => uo, 'an object {"message", "receivers": [...]} (the Notify format)'),
			campaign_id: id().nullish().or(z.literal('')),
			campaign_name: text(MAX_CAMPAIGN_NAME).nullish(),
		}),
	});
}

/**
 * Reads a validated Notify bulk body. The request's delays can lengthen the gateway's, never shorten them below
 * MIN_DELAY_MINUTES; invalid and repeated receivers are skipped with the reason.
 */
export function parseBulkRequest(
	body: z.infer<ReturnType<typeof bulkRequestSchema>>['body'],
	limits: BulkLimits,
): { settings: CampaignSettings; receivers: QueuedReceiver[]; skipped: Skipped[] } {
	const { receivers, message, random_delay, min_delay, max_delay, random_string, ...fields } = body.UOWHATSAPP!;
	const template = message ?? '';
	outgoingMessage({ ...fields, message: template }, limits);
	const minDelayMinutes = Math.max(limits.minDelayMinutes, min_delay ?? limits.minDelayMinutes);
	const settings: CampaignSettings = {
		id: body.campaign_id || `cmp_${randomUUID()}`,
		...(body.campaign_name && { name: body.campaign_name }),
		template,
		fields,
		minDelayMinutes,
		maxDelayMinutes: Math.max(minDelayMinutes, max_delay ?? limits.maxDelayMinutes),
		randomDelay: random_delay !== false,
		randomString: random_string === true,
	};
	const queued: QueuedReceiver[] = [];
	const skipped: Skipped[] = [];
	const seen = new Set<string>();
	for (const data of receivers) {
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
