import type { CampaignReceiver, CampaignSink } from '../channel/types';
import { WhatsAppError, invalidInput, isWhatsAppError } from '../../../contract/errors';
import { MAX_RECEIVERS_PER_REQUEST } from '../../../contract/limits';
import type { Envelope, OutboundMessage } from '../message';
import { isMediaMessage } from '../message';
import { addressOf } from '../identity';
import { type RetryPolicy, withRetries } from './retry';
import { reasonForStop } from './segment';
import { errorMessage } from '../../../contract/log';

export interface CampaignDelays {
	minDelayMinutes: number;
	maxDelayMinutes: number;
}

export interface CampaignHandOff {
	campaignId: string;
	campaignName: string;
	delays: CampaignDelays;
	retry: RetryPolicy;
}

/** Per-recipient text goes as this receiver field, named by the campaign's one message. */
const PER_RECIPIENT_TEXT = 'text';

export type HandOffOutcome = { recipient: string; campaignId: string } & (
	| { status: 'queued'; alreadyQueued?: true }
	| { status: 'skipped'; reason: string; resetAt?: string }
	| { status: 'failed'; error: WhatsAppError }
);

const textOf = (message: OutboundMessage): string =>
	message.type === 'text' ? message.text : isMediaMessage(message) ? (message.caption ?? '') : '';

/** The message without its text: what every receiver of one campaign must share. */
function sharedPart(message: OutboundMessage): string {
	if (message.type === 'text') return JSON.stringify({ type: 'text' });
	return JSON.stringify({ ...message, caption: undefined });
}

const SEND_FROM_N8N = 'Set Delivery Mode to "Send From n8n" for this kind of message';

/** Why this envelope cannot be part of any campaign, or nothing. */
function ownRefusal(envelope: Envelope): WhatsAppError | undefined {
	const { message } = envelope;
	if (envelope.replyTo)
		return invalidInput(
			'Reply To Message ID',
			envelope.replyTo,
			'cannot be part of a Container Campaign',
			`${SEND_FROM_N8N}, or remove the reply`,
		);
	if (message.type !== 'text' && !isMediaMessage(message)) {
		return invalidInput(
			'Operation',
			message.type,
			'cannot be sent as a Container Campaign (it carries text and media by URL)',
			SEND_FROM_N8N,
		);
	}
	if (isMediaMessage(message) && !('link' in message.media)) {
		return invalidInput(
			'Media Source',
			'binary' in message.media ? 'binary' : 'id',
			'cannot be used in a Container Campaign, which sends media by URL',
			`Give a public media URL, or set Delivery Mode to "Send From n8n"`,
		);
	}
	return undefined;
}

/**
 * For each envelope, why it cannot go into this Container Campaign, or nothing. A campaign is one message (text,
 * or media by URL with a caption) for every receiver; only its text may differ per receiver, so every other part
 * must equal that of the first envelope that can go.
 */
export function campaignRefusals(envelopes: Envelope[]): Array<WhatsAppError | undefined> {
	const own = envelopes.map(ownRefusal);
	const reference = envelopes.find((_, index) => !own[index]);
	return envelopes.map((envelope, index) => {
		const { message } = envelope;
		if (own[index] || !reference || sharedPart(message) === sharedPart(reference.message)) return own[index];
		const media = isMediaMessage(message) && 'link' in message.media ? message.media.link : message.type;
		return invalidInput(
			'Media',
			media,
			"differs from the first item's; a Container Campaign sends the same media to every receiver",
			'Send one campaign per media, or set Delivery Mode to "Send From n8n"',
		);
	});
}

/**
 * The one message of the campaign and each receiver's part: one text for all when it is the same (and has no
 * placeholder of the container's), else each receiver's rendered text through a `{{user.text}}` placeholder.
 */
function campaignContent(envelopes: Envelope[]): { message: OutboundMessage; textFor: (envelope: Envelope) => CampaignReceiver['user'] } {
	const first = envelopes[0].message;
	const texts = new Set(envelopes.map((envelope) => textOf(envelope.message)));
	const [only] = texts;
	const shared = texts.size === 1 && !only.includes('{{');
	const text = shared ? only : `{{user.${PER_RECIPIENT_TEXT}}}`;
	const message: OutboundMessage =
		first.type === 'text'
			? { type: 'text', text }
			: { ...(first as Extract<OutboundMessage, { media: unknown }>), ...(text && { caption: text }) };
	return { message, textFor: (envelope) => (shared ? undefined : { [PER_RECIPIENT_TEXT]: textOf(envelope.message) }) };
}

/**
 * Hands a validated segment to the container as one campaign, in chunks of at most MAX_RECEIVERS_PER_REQUEST
 * with the same campaign ID. The hand-off is idempotent (a receiver already in the campaign is not queued again),
 * so a chunk whose answer was lost is simply posted again, and so is the whole segment after a crash. An error
 * that stops the sender leaves the rest unsent. Outcomes come back in input order.
 */
export async function handOffSegment(sink: CampaignSink, envelopes: Envelope[], handOff: CampaignHandOff): Promise<HandOffOutcome[]> {
	const { campaignId } = handOff;
	const outcomes: HandOffOutcome[] = new Array(envelopes.length);
	const firstIndex = new Map<string, number>();
	envelopes.forEach((envelope, index) => {
		const recipient = addressOf(envelope.to);
		if (firstIndex.has(recipient))
			outcomes[index] = { status: 'skipped', recipient, campaignId, reason: 'listed more than once in this segment: queued once' };
		else firstIndex.set(recipient, index);
	});
	const unique = [...firstIndex.values()];
	if (!unique.length) return outcomes;
	const { message, textFor } = campaignContent(envelopes);

	let stoppedBy: WhatsAppError | undefined;
	for (let start = 0; start < unique.length; start += MAX_RECEIVERS_PER_REQUEST) {
		const chunk = unique.slice(start, start + MAX_RECEIVERS_PER_REQUEST);
		const receivers = chunk.map((index) => ({ recipient: addressOf(envelopes[index].to), user: textFor(envelopes[index]) }));
		if (stoppedBy) {
			const reason = reasonForStop(stoppedBy);
			receivers.forEach(({ recipient }, position) => (outcomes[chunk[position]] = { status: 'skipped', recipient, campaignId, reason }));
			continue;
		}
		try {
			const { value: answer } = await withRetries(
				() => sink.enqueue({ campaignId, campaignName: handOff.campaignName, message, receivers, ...handOff.delays }),
				handOff.retry,
				{ idempotent: true },
			);
			const alreadyQueued = new Set(answer.alreadyQueued);
			const skipped = new Map(answer.skipped.map((skip) => [skip.recipient, skip.reason]));
			receivers.forEach(({ recipient }, position) => {
				const reason = skipped.get(recipient);
				outcomes[chunk[position]] =
					reason !== undefined
						? { status: 'skipped', recipient, campaignId, reason }
						: { status: 'queued', recipient, campaignId, ...(alreadyQueued.has(recipient) && { alreadyQueued: true as const }) };
			});
		} catch (error) {
			const failure = isWhatsAppError(error)
				? error
				: new WhatsAppError(errorMessage(error), {
						kind: 'ambiguous',
						description: 'An unexpected error interrupted the hand-off',
						fix: 'Run again with the same Campaign ID: receivers already queued are not queued twice',
					});
			if (failure.stopsSender) stoppedBy = failure;
			receivers.forEach(({ recipient }, position) => {
				outcomes[chunk[position]] =
					failure.kind === 'quota'
						? {
								status: 'skipped',
								recipient,
								campaignId,
								reason: reasonForStop(failure),
								...(failure.resetAt && { resetAt: failure.resetAt }),
							}
						: { status: 'failed', recipient, campaignId, error: failure };
			});
		}
	}
	return outcomes;
}
