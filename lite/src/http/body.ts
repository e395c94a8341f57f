import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A request body, read only up to `maxBytes`: a larger Content-Length is refused before reading, a longer stream is
 * cut off as soon as it passes the limit (reading stops; the answer then closes the connection instead of reading the
 * rest: closeIfBodyUnread).
 */
export async function readBody(incoming: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
	if (Number(incoming.headers['content-length']) > maxBytes) throw tooLarge();
	return await new Promise<Buffer>((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		const onData = (chunk: Buffer) => {
			size += chunk.length;
			if (size <= maxBytes) return void chunks.push(chunk);
			incoming.off('data', onData).pause();
			reject(tooLarge());
		};
		incoming
			.on('data', onData)
			.once('end', () => resolve(Buffer.concat(chunks)))
			.once('error', reject);
	});
}

/** An answer given before the body's end closes the connection after it, so the rest of the body is never read. */
export function closeIfBodyUnread(incoming: IncomingMessage, response: ServerResponse): void {
	if (!incoming.complete) response.setHeader('Connection', 'close');
}
