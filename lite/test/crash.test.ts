import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniquePrefix } from '../../test/harness/redis';
import { SECRET, SUIT } from './helpers/gateway';
import { spawnGateway, type GatewayProcess } from './helpers/process';
import { startReceiver, type WebhookReceiver } from './helpers/receiver';
import { startStoppableRedis, type StoppableRedis } from './helpers/redisServer';
import { waitFor } from './helpers/wait';

/*
 * Kill -9 of the real gateway (lite/src/main.ts, a child process) at each step of a campaign, then a restart:
 * who received what is counted in the sandbox's sent log, which outlives the process like a phone would.
 */

// Generous: 20,000 sends on a loaded 2-core machine take minutes (no speed is asserted).
jest.setTimeout(900_000);

let redis: StoppableRedis;
beforeAll(async () => {
	redis = await startStoppableRedis();
});
afterAll(() => redis.stop());

const GAP_MS = 150;
// Numbers ending in 0000 have no WhatsApp in the sandbox: these end in 1.
const numbers = (count: number) => Array.from({ length: count }, (_, i) => `49151${String(i).padStart(7, '0')}1`);

function settings(extra: Record<string, string> = {}) {
	return {
		REDIS_URL: redis.url,
		REDIS_KEY_PREFIX: uniquePrefix(),
		STATE_DIR: mkdtempSync(join(tmpdir(), 'lite-crash-')),
		WEBHOOK_SECRET: SECRET,
		WEBHOOK_RETRY_BASE_MS: '50',
		MIN_DELAY_MINUTES: '1',
		MAX_DELAY_MINUTES: '1',
		DELAY_UNIT_MS: String(GAP_MS),
		DAILY_QUOTA: '100000',
		...extra,
	};
}

const campaign = (receivers: string[], id = 'cmp-crash') => ({
	UOWHATSAPP: {
		message: 'Hello {{userID}}',
		receivers: receivers.map((mobileNum, i) => ({ mobileNum, userID: `u${i}` })),
		random_delay: false,
	},
	campaign_id: id,
	campaign_name: 'Crash test',
});

/** How many messages each number got, from the sandbox's durable log. */
async function received(gateway: GatewayProcess): Promise<Map<string, number>> {
	const { messages } = (await gateway.call('GET', '/sandbox/messages')).body as { messages: Array<{ chatId: string }> };
	const counts = new Map<string, number>();
	for (const { chatId } of messages) counts.set(chatId.replace('@c.us', ''), (counts.get(chatId.replace('@c.us', '')) ?? 0) + 1);
	return counts;
}

async function finished(gateway: GatewayProcess, id: string, total: number) {
	return waitFor(
		async () => {
			const answer = await gateway.call('GET', `/${SUIT}/campaigns/${id}?limit=500`);
			return answer.body?.state === 'finished' && answer.body.recipients.total === total && answer.body;
		},
		600_000,
		`campaign ${id} to finish`,
	);
}

/** The last status each recipient's `campaign` events gave, counting repeats of one event ID once. */
function eventStatuses(receiver: WebhookReceiver): Map<string, string> {
	const seen = new Set<string>();
	const statuses = new Map<string, string>();
	for (const event of receiver.events('campaign')) {
		if (seen.has(event.id) || !event.data.recipient) continue;
		seen.add(event.id);
		statuses.set(event.data.recipient, event.data.status);
	}
	return statuses;
}

function gaps(timestamps: string[]): number[] {
	const times = timestamps.map((time) => Date.parse(time)).sort((a, b) => a - b);
	return times.slice(1).map((time, i) => time - times[i]);
}

describe.each([
	// [step, does #3 get the message, its state]
	['claim', true, 'sent'],
	['handoff', false, 'unknown'],
	['send', true, 'unknown'],
	['outcome', true, 'sent'],
])('kill -9 at "%s" of the third receiver, then a restart', (step, thirdReceives, thirdState) => {
	it('sends nobody twice, loses nobody never handed over, reports the outcome honestly and keeps the gap', async () => {
		const receiver = await startReceiver();
		const env = settings();
		const people = numbers(6);
		let gateway = await spawnGateway({ ...env, LITE_FAULT: `${step}:3` });
		try {
			await gateway.call('POST', '/webhooks', { url: receiver.url, events: ['campaign'] });
			expect((await gateway.call('POST', `/${SUIT}/send`, campaign(people))).body).toMatchObject({
				queued: 6,
				alreadyQueued: [],
				skipped: [],
			});
			expect(await gateway.exited).toBe('SIGKILL');

			gateway = await spawnGateway(env);
			const view = await finished(gateway, 'cmp-crash', 6);
			const counts = await received(gateway);
			for (const [i, number] of people.entries())
				expect([number, counts.get(number) ?? 0]).toEqual([number, i === 2 && !thirdReceives ? 0 : 1]);
			const states = Object.fromEntries(
				view.recipients.items.map((item: { recipient: string; state: string }) => [item.recipient, item.state]),
			);
			expect(states).toEqual(Object.fromEntries(people.map((number, i) => [number, i === 2 ? thirdState : 'sent'])));
			if (thirdState === 'unknown') expect(view.recipients.items[2].reason).toContain('may have been sent');
			expect(view.counts).toMatchObject({
				queued: 0,
				sending: 0,
				skipped: 0,
				sent: thirdState === 'sent' ? 6 : 5,
				unknown: thirdState === 'unknown' ? 1 : 0,
			});
			const { messages } = (await gateway.call('GET', '/sandbox/messages')).body;
			if (thirdState === 'sent')
				expect(view.recipients.items[2].messageId).toBe(
					messages.find((message: { chatId: string }) => message.chatId === `${people[2]}@c.us`).id,
				);
			for (const gap of gaps(messages.map((message: { timestamp: string }) => message.timestamp)))
				expect(gap).toBeGreaterThanOrEqual(GAP_MS);

			await waitFor(() => receiver.events('campaign').some((event) => event.data.status === 'finished'), 30_000, 'the finished event');
			expect(eventStatuses(receiver)).toEqual(new Map(people.map((number, i) => [number, i === 2 ? thirdState : 'sent'])));
			expect(receiver.events('campaign').find((event) => event.data.status === 'finished').data.counts).toEqual(view.counts);
		} finally {
			await gateway.stop();
			await receiver.stop();
		}
	});
});

it('kill -9 while 20,000 receivers are enqueued in chunks, restart, the same campaign posted again: everyone gets it exactly once', async () => {
	const env = settings({ MIN_DELAY_MINUTES: '0', MAX_DELAY_MINUTES: '0', SANDBOX_ACK_DELAY_MS: '60000' });
	const people = numbers(20_000);
	const chunks = Array.from({ length: 20 }, (_, i) => people.slice(i * 1000, (i + 1) * 1000));
	const post = (gateway: GatewayProcess, chunk: string[]) =>
		gateway.call('POST', `/${SUIT}/send`, {
			...campaign(chunk, 'cmp-20k'),
			UOWHATSAPP: { message: 'Hello', receivers: chunk.map((mobileNum) => ({ mobileNum })), random_delay: false },
		});
	let gateway = await spawnGateway({ ...env, LITE_FAULT: 'enqueue:7' });
	try {
		for (const chunk of chunks.slice(0, 6)) expect((await post(gateway, chunk)).body.queued).toBe(1000);
		await expect(post(gateway, chunks[6])).rejects.toThrow();
		expect(await gateway.exited).toBe('SIGKILL');

		gateway = await spawnGateway(env);
		const answers = [];
		for (const chunk of chunks) answers.push((await post(gateway, chunk)).body);
		expect(answers.slice(0, 7).map((answer) => [answer.queued, answer.alreadyQueued.length])).toEqual(Array(7).fill([0, 1000]));
		expect(answers.slice(7).map((answer) => [answer.queued, answer.alreadyQueued.length])).toEqual(Array(13).fill([1000, 0]));
		const view = await finished(gateway, 'cmp-20k', 20_000);
		// The worker was sending while the requests came in: a receiver it held when the kill came is `unknown`.
		const counts = await received(gateway);
		expect(view.counts).toMatchObject({ queued: 0, sending: 0, failed: 0, skipped: 0, sent: 20_000 - view.counts.unknown });
		expect(view.counts.unknown).toBeLessThanOrEqual(1);
		expect([...counts.values()].every((count) => count === 1)).toBe(true);
		// Everyone without a message is that one `unknown` receiver (recipients are listed in the order queued).
		for (const [index, number] of people.entries()) {
			if (counts.has(number)) continue;
			const { items } = (await gateway.call('GET', `/${SUIT}/campaigns/cmp-20k?offset=${index}&limit=1`)).body.recipients;
			expect(items[0]).toMatchObject({ recipient: number, state: 'unknown' });
		}
	} finally {
		await gateway.stop();
	}
});
