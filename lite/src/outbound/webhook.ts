import { outboundFetch, type Resolve } from './fetch';
import { OutboundPolicy } from './policy';

/** The settings (config.ts) a webhook delivery follows. */
export interface WebhookPostSettings {
	webhookAllowedHosts: string[];
	webhookTimeoutMs: number;
	webhookMaxAnswerBytes: number;
	outboundConnectTimeoutMs: number;
}

/** POSTs one event body; answers the HTTP status (redirects are not followed: a 3xx is not a delivery). */
export type WebhookPost = (url: string, body: string, headers: Record<string, string>, signal: AbortSignal) => Promise<number>;

export function webhookPoster(settings: WebhookPostSettings, resolve?: Resolve): WebhookPost {
	const policy = OutboundPolicy.webhook(settings.webhookAllowedHosts);
	return async (url, body, headers, signal) => {
		const answer = await outboundFetch(policy, url, {
			method: 'POST',
			headers,
			body,
			maxBytes: settings.webhookMaxAnswerBytes,
			truncate: true,
			maxRedirects: 0,
			connectTimeoutMs: settings.outboundConnectTimeoutMs,
			timeoutMs: settings.webhookTimeoutMs,
			signal,
			resolve,
		});
		return answer.status;
	};
}
