import { mediaTooLarge, mediaUnavailable, urlNotAllowed } from '../http/errors';
import { Slots, SlotsFull } from '../util/slots';
import { outboundFetch, OutboundError, origin, type Resolve } from './fetch';
import { OutboundPolicy, OutboundRefused } from './policy';

/** The settings (config.ts) a media fetch follows. */
export interface MediaFetchSettings {
	mediaAllowedHosts: string[];
	maxMediaUrlBytes: number;
	mediaFetchTimeoutMs: number;
	mediaMaxRedirects: number;
	outboundConnectTimeoutMs: number;
	/** Media fetches at once (each may hold MAX_MEDIA_URL_BYTES), and how many may wait for a turn. */
	mediaFetchConcurrency: number;
	mediaFetchQueue: number;
}

export interface FetchedMedia {
	mimetype: string;
	/** Base64, as whatsapp-web.js's MessageMedia holds it. */
	data: string;
	/** The last path segment of the URL the media came from, if it has one. */
	filename?: string;
}

/** Fetches a media URL for sending; every failure is a 4xx ApiError (nothing was sent, the quota is given back). */
export type MediaFetcher = (url: string) => Promise<FetchedMedia>;

export function mediaFetcher(settings: MediaFetchSettings, resolve?: Resolve): MediaFetcher {
	const policy = OutboundPolicy.media(settings.mediaAllowedHosts);
	const slots = new Slots(settings.mediaFetchConcurrency, settings.mediaFetchQueue);
	return (url) =>
		slots
			.run(() => fetchOne(url))
			.catch((error) => {
				if (!(error instanceof SlotsFull)) throw error;
				throw mediaUnavailable(
					`The gateway is busy fetching media (${error.message}): try again shortly, or raise MEDIA_FETCH_CONCURRENCY`,
				);
			});

	async function fetchOne(url: string): Promise<FetchedMedia> {
		try {
			const answer = await outboundFetch(policy, url, {
				maxBytes: settings.maxMediaUrlBytes,
				maxRedirects: settings.mediaMaxRedirects,
				connectTimeoutMs: settings.outboundConnectTimeoutMs,
				timeoutMs: settings.mediaFetchTimeoutMs,
				resolve,
			});
			if (answer.status < 200 || answer.status >= 300)
				throw mediaUnavailable(`The media URL at ${origin(answer.url)} answered HTTP ${answer.status}`);
			const mimetype = String(answer.headers['content-type'] ?? 'application/octet-stream')
				.split(';')[0]
				.trim();
			return { mimetype, data: answer.body.toString('base64'), filename: lastSegment(answer.url) };
		} catch (error) {
			throw mediaError(error, settings.maxMediaUrlBytes);
		}
	}
}

function lastSegment(url: URL): string | undefined {
	const segment = url.pathname.split('/').pop() ?? '';
	try {
		return decodeURIComponent(segment) || undefined;
	} catch {
		// Not percent-encoding: the segment as written is still a fine file name.
		return segment;
	}
}

function mediaError(error: unknown, maxBytes: number): unknown {
	if (error instanceof OutboundRefused) return urlNotAllowed('The media URL', error, 'MEDIA_ALLOWED_HOSTS');
	if (!(error instanceof OutboundError)) return error;
	if (error.failure === 'too_large')
		return mediaTooLarge(
			`${error.message} (the limit is MAX_MEDIA_URL_BYTES=${maxBytes})`,
			'Send a smaller file, or raise MAX_MEDIA_URL_BYTES',
		);
	return mediaUnavailable(`The media URL failed: ${error.message}`);
}
