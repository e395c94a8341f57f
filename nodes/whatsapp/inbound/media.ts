import { CloudChannel } from '../channel/cloud';
import type { Channel } from '../channel/types';
import { WhatsAppError } from '../../../contract/errors';
import type { InboundEvent } from './event';

export interface DownloadedMedia {
	data: Buffer;
	mimeType: string;
	fileName?: string;
}

/** Fetches a URL's bytes with the credential applied (Meta's media URLs need the access token). */
export type BinaryDownloader = (url: string) => Promise<Buffer>;

function tooLarge(bytes: number, maxBytes: number): WhatsAppError {
	return new WhatsAppError(`The media is ${bytes} bytes, more than the ${maxBytes} bytes allowed`, {
		kind: 'validation',
		field: 'Max Media Size (MB)',
		description: 'Incoming media above the limit is not downloaded',
		fix: "Raise Max Media Size (MB) in the trigger's options, or fetch the file later by its media ID",
	});
}

/** Meta: `GET /<media-id>` gives a short-lived URL and the size; the size is checked before downloading. */
async function cloudMedia(channel: CloudChannel, download: BinaryDownloader, mediaId: string, maxBytes: number): Promise<Buffer> {
	const info = await channel.call<{ url?: string; file_size?: number }>({ method: 'GET', path: mediaId });
	if (Number(info.file_size) > maxBytes) throw tooLarge(Number(info.file_size), maxBytes);
	if (!info.url)
		throw new WhatsAppError(`Meta returned no URL for media ${mediaId}`, {
			kind: 'api',
			description: 'The media lookup had no url',
			fix: 'Try again; media stays available for 30 days',
		});
	return await download(info.url);
}

/**
 * The file of an incoming media message, at most `maxBytes`: inline data (Lite) or downloaded by media ID
 * (Cloud). Undefined when the event carries no media.
 */
export async function incomingMedia(
	event: InboundEvent,
	channel: Channel,
	download: BinaryDownloader,
	maxBytes: number,
): Promise<DownloadedMedia | undefined> {
	const media = event.media;
	if (!media || (!media.data && !media.id)) return undefined;
	let data: Buffer;
	if (media.data) data = Buffer.from(media.data, 'base64');
	else if (channel instanceof CloudChannel && media.id) data = await cloudMedia(channel, download, media.id, maxBytes);
	else return undefined;
	if (data.length > maxBytes) throw tooLarge(data.length, maxBytes);
	return { data, mimeType: media.mimeType ?? 'application/octet-stream', ...(media.filename && { fileName: media.filename }) };
}
