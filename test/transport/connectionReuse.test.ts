import { binaryItem, runSend, TO, useBackends } from '../send/fixtures';

const backends = useBackends({ latencyMs: 5 });

const CONCURRENCY = 8;
const recipients = (count: number, from = 0) =>
	Array.from({ length: count }, (_, index) => ({ json: { phone: `49151${String(from + index).padStart(7, '0')}` } }));

const sendTo = (items: ReturnType<typeof recipients>) =>
	runSend(
		backends(),
		{
			operation: 'sendText',
			recipient: '={{ $json.phone }}',
			text: 'Hello',
			delivery: { messagesPerSecond: 1000, concurrency: CONCURRENCY, dailyQuota: 0 },
		},
		items,
	);

test('1,000 Cloud sends go over about as many connections as requests in flight, not 1,000', async () => {
	const run = await sendTo(recipients(1000));

	const { graph } = backends();
	expect(run.error).toBeUndefined();
	expect(new Set(graph.accepted.map((sent) => sent.to)).size).toBe(1000);
	expect(graph.accepted).toHaveLength(1000);
	// About one connection per request in flight, kept alive across the run. A few more may be opened: the client
	// closes a connection idle for a second, which a stalled event loop on a loaded machine causes; without reuse
	// there would be one per request.
	expect(graph.connectionsOpened()).toBeGreaterThanOrEqual(1);
	expect(graph.connectionsOpened()).toBeLessThanOrEqual(100);
});

test('the pool outlives an execution: a second one to the same base URL reuses its connections', async () => {
	await sendTo(recipients(100));
	const afterFirst = backends().graph.connectionsOpened();

	const run = await sendTo(recipients(100, 100));

	expect(run.error).toBeUndefined();
	expect(backends().graph.accepted).toHaveLength(200);
	expect(backends().graph.connectionsOpened()).toBeLessThanOrEqual(afterFirst + 2);
});

test("only message sends use the kept-alive client: a media upload still goes through n8n's request helper", async () => {
	const file = { data: Buffer.from('%PDF-1.4 test'), mimeType: 'application/pdf', fileName: 'invoice.pdf' };

	const run = await runSend(
		backends(),
		{ operation: 'sendMedia', recipient: TO, mediaType: 'document', mediaSource: 'binary', binaryPropertyName: 'data' },
		[binaryItem(file)],
	);

	expect(run.error).toBeUndefined();
	// n8n's helper names itself in User-Agent (n8n-core sets "n8n" when a node sets none); the kept-alive client does not.
	const userAgents = backends().graph.requests.map((request) => [request.path.split('/').at(-1), request.headers['user-agent']]);
	expect(userAgents).toEqual([
		['media', 'n8n'],
		['messages', undefined],
	]);
});
