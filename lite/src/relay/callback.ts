import type { IncomingMessage, ServerResponse } from 'node:http';
import { sameText, verifyMetaSignature } from '../../../contract/signatures';
import { closeIfBodyUnread, readBody } from '../http/body';
import { causeOf, type Logger } from '../../../contract/log';
import type { Relay } from './relay';
import type { RelayApp } from './settings';

/** Meta's callback for one app: `/meta/<app name>` (the name in RELAY_APPS). */
const CALLBACK = /^\/meta\/([^/]+)\/?$/;

class Refusal extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}

/**
 * The relay's side facing Meta: the verification handshake (GET) and signed deliveries (POST), answered in plain
 * text. A POST is answered 200 only once the relay recorded it; nothing about it waits for a subscriber.
 */
export class RelayCallback {
	constructor(
		private readonly relay: Relay,
		private readonly apps: Map<string, RelayApp>,
		private readonly maxBodyBytes: number,
		private readonly log: Logger,
	) {}

	/** Takes the request when its path is a callback's; false otherwise (the router's turn). */
	serve(request: IncomingMessage, response: ServerResponse): boolean {
		const [path, query = ''] = (request.url ?? '/').split('?', 2);
		const match = CALLBACK.exec(path);
		if (!match) return false;
		this.answer(request, new URLSearchParams(query), match[1]).then(
			(text) => this.reply(request, response, 200, text),
			(error: unknown) => {
				if (error instanceof Refusal) return this.reply(request, response, error.status, error.message);
				this.log.error('Relay request failed', { method: request.method, path, ...causeOf(error) });
				this.reply(request, response, 500, 'The relay failed while handling the delivery; deliver again later');
			},
		);
		return true;
	}

	private async answer(request: IncomingMessage, query: URLSearchParams, rawName: string): Promise<string> {
		const app = this.apps.get(decodeSafely(rawName));
		if (!app) throw new Refusal(404, `No Meta app "${rawName.slice(0, 64)}" is set up in this relay's RELAY_APPS`);
		if (request.method === 'GET') return handshake(app, query);
		if (request.method !== 'POST') throw new Refusal(405, 'Meta sends GET (verification) and POST (events) here');
		const rawBody = await readBody(
			request,
			this.maxBodyBytes,
			() => new Refusal(413, `The body is larger than RELAY_MAX_BODY_BYTES (${this.maxBodyBytes} bytes)`),
		);
		const check = verifyMetaSignature(app.appSecret, rawBody, headerOf(request, 'x-hub-signature-256'));
		if (!check.valid) {
			this.relay.counts.refused++;
			throw new Refusal(401, `Refused: ${check.reason} (signed with the app secret of "${app.name}"?)`);
		}
		const outcome = await this.relay.accept(app.name, rawBody);
		if (outcome === 'not-whatsapp')
			throw new Refusal(400, 'The body is not a WhatsApp Business Account webhook (object "whatsapp_business_account")');
		if (outcome === 'unavailable') throw new Refusal(503, "The relay's subscribers cannot be read yet (Redis); deliver again later");
		return 'EVENT_RECEIVED';
	}

	private reply(request: IncomingMessage, response: ServerResponse, status: number, text: string): void {
		closeIfBodyUnread(request, response);
		response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
	}
}

/** `hub.mode=subscribe`, the app's verify token, and the challenge to echo. */
function handshake(app: RelayApp, query: URLSearchParams): string {
	const challenge = query.get('hub.challenge');
	const token = query.get('hub.verify_token');
	if (query.get('hub.mode') !== 'subscribe' || challenge === null || token === null)
		throw new Refusal(400, "Expected Meta's verification request (hub.mode=subscribe, hub.verify_token, hub.challenge)");
	if (!sameText(app.verifyToken, token)) throw new Refusal(403, `hub.verify_token is not the verify token of "${app.name}" in RELAY_APPS`);
	return challenge;
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
	const value = request.headers[name];
	return Array.isArray(value) ? value[0] : value;
}

function decodeSafely(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		// Not percent-encoding: matched as written (an unknown app name is refused by the caller).
		return segment;
	}
}
