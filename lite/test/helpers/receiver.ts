import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
	headers: IncomingHttpHeaders;
	raw: Buffer;
	body: any;
}

export interface WebhookReceiver {
	url: string;
	deliveries: Delivery[];
	/** Events of one kind, in arrival order. */
	events(name: string): any[];
	stop(): Promise<void>;
}

/** An HTTP server that records webhook deliveries; `statuses` answers them in turn (then 200). */
export async function startReceiver(statuses: number[] = []): Promise<WebhookReceiver> {
	const deliveries: Delivery[] = [];
	const answers = [...statuses];
	const server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const raw = Buffer.concat(chunks);
			deliveries.push({ headers: request.headers, raw, body: JSON.parse(raw.toString('utf8')) });
			response.writeHead(answers.shift() ?? 200).end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
		deliveries,
		events: (name) => deliveries.filter((delivery) => delivery.body.event === name).map((delivery) => delivery.body),
		stop: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
