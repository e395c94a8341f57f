import type { StateStore } from '../store/types';
import { firstDeliveries } from './dedupe';
import type { EventFilter } from './filters';
import { type InboundEvent, UnexpectedPayload } from './normalise';
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
	store: Pick<StateStore, 'claimOnce'>;
	/** Names the trigger in de-duplication keys (workflow and node). */
	scope: string;
	dedupeWindowSeconds: number;
	nowSeconds: number;
}

/** What to answer, and the events that start the workflow (none unless the answer is 200 to a POST). */
export interface Reception {
	reply: Reply;
	events: InboundEvent[];
}

const json = (status: number, body: object): Reply => ({ status, contentType: 'application/json', body: JSON.stringify(body) });

function parse(rawBody: Buffer): { body: unknown } | { problem: string } {
	try {
		return { body: JSON.parse(rawBody.toString('utf8')) };
	} catch {
		return { problem: 'The body is not JSON' };
	}
}

/**
 * One webhook request, start to finish: GET handshake, or POST verified over the raw bytes → parsed →
 * normalised → filtered → de-duplicated. Never throws for anything the sender controls: a bad signature is 401,
 * a body that is not the backend's shape 400, an unreachable state store 503 (so the backend delivers again).
 */
export async function receive(request: InboundRequest, source: InboundSource, options: ReceiveOptions): Promise<Reception> {
	if (request.method === 'GET') return { reply: source.answerGet(request.query), events: [] };
	if (options.verifySignatures) {
		const check = source.verify(request.rawBody, request.headers, options.nowSeconds);
		if (!check.valid) return { reply: json(401, { error: `Signature refused: ${check.reason}` }), events: [] };
	}
	const parsed = parse(request.rawBody);
	if ('problem' in parsed) return { reply: json(400, { error: parsed.problem }), events: [] };
	let events: InboundEvent[];
	try {
		events = source.normalise(parsed.body).filter(options.filter);
	} catch (error) {
		return { reply: json(400, { error: error instanceof UnexpectedPayload ? error.message : 'Unexpected webhook payload' }), events: [] };
	}
	try {
		events = await firstDeliveries(events, options.store, options.scope, options.dedupeWindowSeconds);
	} catch {
		return { reply: plain(503, 'De-duplication state is unavailable; deliver again later'), events: [] };
	}
	return { reply: json(200, { received: events.length }), events };
}
