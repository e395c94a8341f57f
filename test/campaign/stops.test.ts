import { recipients, useSegmentRun } from '../segment/run';

const { backends, sendSegment } = useSegmentRun();

const direct = { backend: 'lite', delivery: { mode: 'direct' } };

test('Lite: a session that drops midway stops the segment: the rest is skipped and no request leaves after the 409', async () => {
	backends().lite.state.sessionDropsAfter = 5;
	const result = await sendSegment(direct, recipients(20));

	expect(result.items.slice(0, 5).map((item) => item.status)).toEqual(Array(5).fill('accepted'));
	expect(result.items[5]).toMatchObject({ status: 'failed', error: { code: 'SESSION_NOT_READY', fix: 'Scan the QR at /whatsapp-login' } });
	const rest = result.items.slice(6);
	expect(rest).toHaveLength(14);
	for (const item of rest)
		expect(item).toMatchObject({
			status: 'skipped',
			reason: 'not sent: sending stopped after "Lite container: WhatsApp session is not ready"',
		});
	expect(backends().lite.sent).toHaveLength(5);
	expect(backends().lite.requestsAfterStop()).toEqual([]);
});

test('Lite: a wrong API key stops the segment after the first answer', async () => {
	const result = await sendSegment(direct, recipients(10), { credentials: { apiKey: 'wrong-key' } });

	expect(result.items[0]).toMatchObject({
		status: 'failed',
		error: { code: 'UNAUTHORIZED', fix: 'Check the API key in the WhatsApp Lite Container credential' },
	});
	expect(
		result.items.slice(1).every((item) => item.status === 'skipped' && String(item.reason).startsWith('not sent: sending stopped after')),
	).toBe(true);
	expect(backends().lite.requests.filter((request) => request.path === '/api/send-message')).toHaveLength(1);
	expect(backends().lite.requestsAfterStop()).toEqual([]);
});

test("Lite: the container's Redis down (503 STORE_UNAVAILABLE) stops the segment; nothing was sent", async () => {
	backends().lite.state.storeAvailable = false;
	const result = await sendSegment(direct, recipients(6));

	expect(result.items[0]).toMatchObject({ status: 'failed', error: { code: 'STORE_UNAVAILABLE', kind: 'api' } });
	expect(result.items.slice(1).map((item) => item.status)).toEqual(Array(5).fill('skipped'));
	expect(backends().lite.sent).toEqual([]);
	expect(backends().lite.requestsAfterStop()).toEqual([]);
});

test("Lite: the container's quota reached midway skips every remaining item with the reset time", async () => {
	backends().lite.state.quotaLeft = 3;
	const result = await sendSegment(direct, recipients(7));

	expect(result.items.map((item) => item.status)).toEqual([...Array(3).fill('accepted'), ...Array(4).fill('skipped')]);
	for (const item of result.items.slice(3)) expect(item.reason).toBe('daily quota reached (resets at 2030-01-02T00:00:00.000Z)');
	expect(result.items[3].resetAt).toBe('2030-01-02T00:00:00.000Z');
	expect(backends().lite.requestsAfterStop()).toEqual([]);
});

test('Cloud: an expired token (190) at 1,000 messages per second stops the segment after one request', async () => {
	const result = await sendSegment({ backend: 'cloud', delivery: { messagesPerSecond: 1000 } }, recipients(500), {
		credentials: { accessToken: 'expired-token' },
	});

	// The first request goes alone, so a sender that cannot send at all costs one request.
	expect(result.items[0]).toMatchObject({ status: 'failed', error: { code: 190 } });
	const rest = result.items.slice(1);
	expect(rest).toHaveLength(499);
	for (const item of rest)
		expect(item).toMatchObject({
			status: 'skipped',
			reason: expect.stringMatching(/^not sent: sending stopped after "WhatsApp error 190/),
		});
	expect(backends().graph.requests).toHaveLength(1);
	expect(backends().graph.requestsAfterTokenError()).toEqual([]);
});
