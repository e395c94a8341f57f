import { claimDelivery, type ClaimStore, type DeliveryReceipt } from './dedupe';
import type { EventFilter } from './filters';
import type { InboundEvent } from './event';
import { UnexpectedPayload } from './normalise';
import { LITE_SIGNATURE_TOLERANCE_SECONDS } from '../../../contract/signatures';
import { causeOf, errorMessage, type Logger } from '../../../contract/log';
import { type InboundSource, plain, type Reply } from './source';

export interface InboundRequest {
	method: string;
	rawBody: Buffer;
	headers: Record<string, unknown>;
	query: Record<string, unknown>;
}

export interface ReceiveOptions {
	verifySignatures: boolean;
	filter: EventFilter;
	/** The de-duplication store, opened only for a verified delivery that has events to start. */
	openStore: () => Promise<ClaimStore>;
	/** Names the trigger in de-duplication keys (workflow and node). */
	scope: string;
	dedupeWindowSeconds: number;
	nowSeconds: number;
	/** Called with every verified event, before the filter and de-duplication (what it records must be idempotent). */
	record?: (events: InboundEvent[]) => Promise<void>;
	/** Where a store outage's cause goes: the sender only hears 503. */
	log: Logger;
}

/** What to answer, the events that start the workflow (none unless the answer is 200 to a POST), and `settle`. */
export interface Reception {
	reply: Reply;
	events: InboundEvent[];
	/** For the execution that takes the events over: it confirms the claims (see DeliveryReceipt). */
	receipt?: DeliveryReceipt;
	/** Call once the answer went out: handed over (n8n answered 2xx) makes the claims final, else gives them back. */
	settle(handedOver: boolean): Promise<void>;
}

const json = (status: number, body: object): Reply => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
const settled = async () => undefined;
const answer = (reply: Reply): Reception => ({ reply, events: [], settle: settled });

/** A seen Lite signature is remembered as long as its timestamp could still pass the tolerance either way. */
const REPLAY_MEMORY_SECONDS = 2 * LITE_SIGNATURE_TOLERANCE_SECONDS;

function parse(rawBody: Buffer): { body: unknown } | { problem: string } {
	try {
		return { body: JSON.parse(rawBody.toString('utf8')) };
	} catch (error) {
		const detail = rawBody.length === 0 ? 'the body is empty' : errorMessage(error);
		return { problem: `The body is not JSON (${detail}); a webhook delivery is a JSON object` };
	}
}

function normalised(source: InboundSource, body: unknown, log: Logger): InboundEvent[] | Reply {
	let events: InboundEvent[];
	try {
		events = source.normalise(body);
	} catch (error) {
		if (error instanceof UnexpectedPayload) return json(400, { error: error.message });
		// Not a shape this package names: the sender hears 400, the cause is for whoever reads the log.
		log.error('WhatsApp Trigger could not read a verified delivery', causeOf(error));
		return json(400, { error: 'Unexpected webhook payload' });
	}
	const foreign = source.foreignSource(body);
	return foreign ? json(403, { error: foreign }) : events;
}

const unavailable = () => plain(503, 'De-duplication state is unavailable; deliver again later');

/**
 * One webhook request, start to finish: GET handshake, or POST verified over the raw bytes → parsed → checked
 * to be for this credential → normalised → recorded (contact links, campaign reports) → filtered → claimed. Nothing reaches the
 * store before the signature and source checks passed. Never throws for anything the sender controls: a bad
 * signature is 401, a body that is not JSON or not the backend's shape 400, another suit's event 403, an
 * unreachable store or an event still being handed over by an earlier delivery 503 (so the backend delivers
 * again).
 */
export async function receive(request: InboundRequest, source: InboundSource, options: ReceiveOptions): Promise<Reception> {
	if (request.method === 'GET') return answer(source.answerGet(request.query));
	let replaySignature: string | undefined;
	if (options.verifySignatures) {
		const check = source.verify(request.rawBody, request.headers, options.nowSeconds);
		if (!check.valid) return answer(json(401, { error: `Signature refused: ${check.reason}` }));
		replaySignature = check.replaySignature;
	}
	const parsed = parse(request.rawBody);
	if ('problem' in parsed) return answer(json(400, { error: parsed.problem }));
	const verified = normalised(source, parsed.body, options.log);
	if (!Array.isArray(verified)) return answer(verified);
	try {
		await options.record?.(verified);
	} catch (error) {
		options.log.warn('WhatsApp Trigger answered 503: contact links or campaign reports could not be recorded', causeOf(error));
		return answer(plain(503, 'Contact links or campaign reports are unavailable; deliver again later'));
	}
	const events = verified.filter(options.filter);
	if (events.length === 0) return answer(json(200, { received: 0 }));

	let claims: Awaited<ReturnType<typeof claimDelivery>>;
	try {
		claims = await claimDelivery(events, await options.openStore(), {
			scope: options.scope,
			windowSeconds: options.dedupeWindowSeconds,
			replay: replaySignature ? { signature: replaySignature, ttlSeconds: REPLAY_MEMORY_SECONDS } : undefined,
		});
	} catch (error) {
		options.log.warn('WhatsApp Trigger answered 503: the de-duplication store is unavailable', causeOf(error));
		return answer(unavailable());
	}
	if (claims === 'busy')
		return answer(plain(503, 'An earlier delivery of these events is still being handed to the workflow; deliver again later'));
	return { reply: json(200, { received: claims.fresh.length }), events: claims.fresh, receipt: claims.receipt, settle: claims.settle };
}
