import { urlNotAllowed } from '../http/errors';
import { OutboundPolicy, OutboundRefused } from '../outbound/policy';

/** What the webhook and relay-subscriber registrations share: the receiver URL's check and one registration at a time. */
export function receiverRegistration(allowedHosts: string[]) {
	const policy = OutboundPolicy.webhook(allowedHosts);
	let registering: Promise<unknown> = Promise.resolve();
	return {
		/** The body's `url`, refused (URL_NOT_ALLOWED naming `url`) when the outbound policy would not post to it. */
		url(body: Record<string, unknown>): string {
			const url = typeof body.url === 'string' ? body.url : '';
			try {
				policy.checkUrl(url);
			} catch (error) {
				if (error instanceof OutboundRefused) throw urlNotAllowed('url', error, 'WEBHOOK_ALLOWED_HOSTS');
				throw error;
			}
			return url;
		},
		/** Runs registrations one at a time, so concurrent ones cannot pass a limit together. */
		serially<T>(step: () => Promise<T>): Promise<T> {
			const done = registering.then(step);
			// The failure is this caller's (`done` below); the next registration runs either way.
			registering = done.catch(() => undefined);
			return done;
		},
	};
}
