import type { INodeParameters } from 'n8n-workflow';
import { captureN8nLogs } from '../harness/logs';
import type { TriggerUnderTest } from '../harness/webhook';
import { metaBody, metaHeaders, metaMessage, metaStatus, redisCredentialFor, startCloudTrigger, useTestRedis, wamid } from './fixtures';

async function deliver(trigger: TriggerUnderTest, body: object) {
	const raw = JSON.stringify(body);
	return await trigger.post(raw, metaHeaders(raw));
}

const text = (body: string, from = '4915123456789') => metaMessage('text', { text: { body } }, { from });

/** The texts (or statuses) that started the workflow when each body was delivered on its own. */
async function passing(parameters: INodeParameters, bodies: object[]) {
	const trigger = await startCloudTrigger(parameters);
	try {
		const passed: unknown[] = [];
		for (const body of bodies)
			for (const item of (await deliver(trigger, body)).items ?? []) passed.push(item.json.text ?? item.json.status);
		return passed;
	} finally {
		await trigger.close();
	}
}

describe('filters', () => {
	const words = ['STOP', 'stop please', 'please stop', 'stopping', 'JOIN summer', 'What is the price?'].map((body) =>
		metaBody({ messages: [text(body)] }),
	);

	it.each([
		['exact', 'stop', ['STOP']],
		['firstWord', 'stop, join', ['STOP', 'stop please', 'JOIN summer']],
		['word', 'price,stop', ['STOP', 'stop please', 'please stop', 'What is the price?']],
		['regex', '^stop\\b', ['STOP', 'stop please']],
	])('text match %s %p', async (textMatch, keywords, expected) => {
		expect(await passing({ filters: { textMatch, keywords } }, words)).toEqual(expected);
	});

	it('case-sensitive keywords', async () => {
		expect(
			await passing({ filters: { textMatch: 'exact', keywords: 'STOP', caseSensitive: true } }, [
				metaBody({ messages: [text('stop')] }),
				metaBody({ messages: [text('STOP')] }),
			]),
		).toEqual(['STOP']);
	});

	it('a button title counts as text', async () => {
		const tap = metaMessage('button', { button: { payload: 'P', text: 'Stop' } });
		expect(await passing({ filters: { textMatch: 'exact', keywords: 'STOP' } }, [metaBody({ messages: [tap] })])).toEqual(['Stop']);
	});

	it('sender and business number (one Meta app, many numbers)', async () => {
		const bodies = [
			metaBody({ messages: [text('from A', '4915111111111')] }),
			metaBody({ messages: [text('from B', '4915222222222')] }, '777'),
			metaBody({ messages: [text('from A on 777', '4915111111111')] }, '777'),
		];
		expect(await passing({ filters: { senders: '+49 151 1111-1111' } }, bodies)).toEqual(['from A', 'from A on 777']);
		expect(await passing({ filters: { businessNumbers: '777' } }, bodies)).toEqual(['from B', 'from A on 777']);
		expect(await passing({ filters: { businessNumbers: '+1 555 010 0000' } }, bodies)).toEqual(['from A', 'from B', 'from A on 777']);
	});

	it('message types, statuses and event choice', async () => {
		const image = metaBody({ messages: [metaMessage('image', { image: { id: '1', mime_type: 'image/png', caption: 'a picture' } })] });
		const bodies = [image, metaBody({ messages: [text('words')] }), metaBody({ statuses: [metaStatus('delivered'), metaStatus('read')] })];
		expect(await passing({ filters: { messageTypes: ['image'] } }, bodies)).toEqual(['a picture', 'delivered', 'read']);
		expect(await passing({ filters: { statuses: ['read'] } }, bodies)).toEqual(['a picture', 'words', 'read']);
		expect(await passing({ events: ['status'] }, bodies)).toEqual(['delivered', 'read']);
	});

	it('a bad regular expression or sender fails activation, naming the field', async () => {
		const regex = await startCloudTrigger({ filters: { textMatch: 'regex', keywords: '(unclosed' } });
		const sender = await startCloudTrigger({ filters: { senders: 'bob' } });
		try {
			await expect(regex.activate()).rejects.toThrow(/Regular Expression "\(unclosed" is not a valid regular expression/);
			await expect(sender.activate()).rejects.toThrow(/Sender "bob" is not a phone number/);
		} finally {
			await regex.close();
			await sender.close();
		}
	});
});

describe('de-duplication', () => {
	it('a redelivered message or status starts nothing; a new status of the same message does', async () => {
		const message = text('once');
		const id = wamid();
		expect(
			await passing({}, [
				metaBody({ messages: [message] }),
				metaBody({ messages: [message] }),
				metaBody({ statuses: [metaStatus('delivered', id)] }),
				metaBody({ statuses: [metaStatus('delivered', id), metaStatus('read', id)] }),
			]),
		).toEqual(['once', 'delivered', 'read']);
	});

	it('within one POST, too', async () => {
		const message = text('twice in one');
		expect(await passing({}, [metaBody({ messages: [message, message] })])).toEqual(['twice in one']);
	});

	it('window 0 turns it off', async () => {
		const message = text('again');
		expect(
			await passing({ triggerOptions: { dedupeWindowMinutes: 0 } }, [metaBody({ messages: [message] }), metaBody({ messages: [message] })]),
		).toEqual(['again', 'again']);
	});

	it('another workflow listening to the same number gets its own copy', async () => {
		const message = text('shared');
		expect(await passing({}, [metaBody({ messages: [message] })])).toEqual(['shared']);
		expect(await passing({}, [metaBody({ messages: [message] })])).toEqual(['shared']);
	});

	describe('with a real Redis (WhatsApp Redis credential)', () => {
		const redis = useTestRedis();
		const redisCredential = () => redisCredentialFor(redis.url());

		it('holds across trigger instances sharing the Redis (two n8n processes), and ends after the window', async () => {
			const credentials = redisCredential();
			const first = await startCloudTrigger({ triggerOptions: { dedupeWindowMinutes: 1 / 60 } }, credentials);
			const second = await startCloudTrigger({ triggerOptions: { dedupeWindowMinutes: 1 / 60 } }, credentials);
			// Same workflow and node on two processes: give the second the first's identity.
			second.node.id = first.node.id;
			try {
				const body = metaBody({ messages: [text('across processes')] });
				const firstCall = await deliver(first, body);
				expect(firstCall).toMatchObject({ status: 200 });
				expect(firstCall.items).toHaveLength(1);
				expect(await deliver(second, body)).toMatchObject({ status: 200, items: undefined });
				await new Promise((resolve) => setTimeout(resolve, 1100));
				expect((await deliver(second, body)).items).toHaveLength(1);
			} finally {
				await first.close();
				await second.close();
			}
		});

		it("an unreachable Redis answers 503 so the backend delivers again, starts nothing, and logs Redis's cause to n8n's log", async () => {
			const trigger = await startCloudTrigger(
				{},
				{ whatsAppRedis: { host: '127.0.0.1', port: 1, database: 0, tls: false, keyPrefix: '' } },
			);
			const logs = captureN8nLogs();
			try {
				const call = await deliver(trigger, metaBody({ messages: [text('no state')] }));
				expect(call).toMatchObject({ status: 503, items: undefined });
				// The sender hears only 503; a self-hoster reads why in n8n's log.
				expect(logs.entries).toContainEqual({
					level: 'warn',
					message: expect.stringMatching(/^WhatsApp Trigger answered 503/),
					metadata: expect.objectContaining({ cause: expect.stringMatching(/Redis at 127\.0\.0\.1:1/) }),
				});
			} finally {
				logs.stop();
				await trigger.close();
			}
		});
	});
});
