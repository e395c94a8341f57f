import { startGateway, SUIT, type TestGateway } from './helpers/gateway';
import { startReceiver, type WebhookReceiver } from './helpers/receiver';
import { startRedis, type TestRedis } from '../../test/harness/redis';
import { standInLibrary, StandInLocation, StandInMedia, type StandInClient } from './helpers/standInWwebjs';
import { waitFor } from './helpers/wait';
import { mediaBytes, startMediaServer, type LoopbackServer } from './helpers/loopbackServer';

let redis: TestRedis;
let receiver: WebhookReceiver;
let gw: TestGateway;
let clients: StandInClient[];
let auths: unknown[];
let media: LoopbackServer;

beforeAll(async () => {
	redis = await startRedis();
	receiver = await startReceiver();
	media = await startMediaServer();
	const standIn = standInLibrary();
	({ clients, auths } = standIn);
	gw = await startGateway(
		{ redisUrl: redis.url, driver: 'wwebjs', sessionDir: '/data/session', chromiumPath: '/usr/bin/chromium' },
		{ wwebjs: () => standIn.library, reconnectDelayMs: 10 },
	);
	await gw.call('POST', '/webhooks', { url: receiver.url });
});
afterAll(async () => {
	await gw.stop();
	await receiver.stop();
	await media.stop();
	await redis.stop();
});

const client = () => clients[clients.length - 1];
const send = (body: Record<string, unknown>) => gw.call('POST', '/api/send-message', { number: '4915123456789', ...body });

describe('the whatsapp-web.js driver with a stand-in client', () => {
	it('starts one client with LocalAuth per suit and the system Chromium', () => {
		expect(clients).toHaveLength(1);
		expect(client().initialized).toBe(1);
		expect(auths).toEqual([{ clientId: SUIT, dataPath: '/data/session' }]);
		expect(client().options.puppeteer).toMatchObject({
			executablePath: '/usr/bin/chromium',
			args: ['--no-sandbox', '--disable-setuid-sandbox'],
		});
	});

	it('shows the QR from a qr event as a data URL, then ready', async () => {
		expect((await gw.call('GET', '/whatsapp-status')).body.status).toBe('starting');
		client().emit('qr', '2@abc,def,ghi');
		const login = await gw.call('GET', '/whatsapp-login');
		expect(login.body).toMatchObject({
			status: 'waiting_for_scan',
			qr: '2@abc,def,ghi',
			qrCode: expect.stringMatching(/^data:image\/png;base64,/),
		});
		expect((await send({ message: 'too early' })).status).toBe(409);
		client().emit('authenticated');
		client().emit('ready');
		expect((await gw.call('GET', '/whatsapp-status')).body).toMatchObject({ authenticated: true, status: 'ready' });
		expect((await gw.call('GET', '/whatsapp-login')).body).toEqual({ status: 'already_authenticated' });
		await waitFor(() => receiver.events('session').length === 3, 2_000, 'session events');
		expect(
			receiver
				.events('session')
				.map((event) => event.data.state)
				.sort(),
		).toEqual(['authenticated', 'qr', 'ready']);
	});

	it('sends text, media, stickers, voice notes, locations and reactions through the client', async () => {
		const text = await send({ message: 'Hello', quotedMessageId: 'false_4915123456789@c.us_Q' });
		expect(text.body).toEqual({ success: true, messageId: 'true_4915123456789@c.us_OUT1', chatId: '4915123456789@c.us' });
		await send({ message: 'Look', imageUrl: `${media.url}/a.jpg` });
		await send({ audioUrl: `${media.url}/v.ogg`, sendAudioAsVoice: true });
		await send({ mediaType: 'sticker', media: { data: 'c3RpY2tlcg==', mimetype: 'image/webp' } });
		await send({ mediaType: 'document', media: { data: 'cGRm', mimetype: 'application/pdf' }, filename: 'a.pdf' });
		await send({ location: { latitude: 52.5, longitude: 13.4, name: 'Berlin' } });
		const [plain, image, voice, sticker, document, location] = client().sent;
		expect(plain).toEqual({ chatId: '4915123456789@c.us', content: 'Hello', options: { quotedMessageId: 'false_4915123456789@c.us_Q' } });
		expect(image).toMatchObject({
			content: new StandInMedia('image/jpeg', mediaBytes('/a.jpg').toString('base64'), 'a.jpg'),
			options: { caption: 'Look' },
		});
		expect(voice).toMatchObject({
			content: new StandInMedia('audio/ogg', mediaBytes('/v.ogg').toString('base64'), 'v.ogg'),
			options: { sendAudioAsVoice: true },
		});
		expect(media.hits).toEqual(['/a.jpg', '/v.ogg']);
		expect(StandInMedia.fromUrlCalls).toEqual([]);
		expect(sticker).toMatchObject({ content: { mimetype: 'image/webp', data: 'c3RpY2tlcg==' }, options: { sendMediaAsSticker: true } });
		expect(document).toMatchObject({ content: { filename: 'a.pdf' }, options: { sendMediaAsDocument: true } });
		expect(location.content).toEqual(new StandInLocation(52.5, 13.4, { name: 'Berlin', address: undefined }));

		const reaction = await send({ reaction: { messageId: 'false_4915123456789@c.us_R', emoji: '❤️' } });
		expect(reaction.body.messageId).toBe('false_4915123456789@c.us_R');
		expect(client().reactions).toEqual([{ messageId: 'false_4915123456789@c.us_R', emoji: '❤️' }]);
		expect((await send({ reaction: { messageId: 'unknown', emoji: '❤️' } })).status).toBe(400);
		expect((await send({ number: '4915100000000', message: 'x' })).body.error.code).toBe('NOT_ON_WHATSAPP');
	});

	it('names fetched media after the last path segment of the URL, also when it is not valid percent-encoding', async () => {
		for (const [path, filename] of [
			['/a%20b.pdf', 'a b.pdf'],
			['/%E0%A4%A.pdf', '%E0%A4%A.pdf'],
		]) {
			expect((await send({ documentUrl: `${media.url}${path}` })).status).toBe(200);
			expect(client().sent.at(-1)?.content).toEqual(new StandInMedia('application/pdf', mediaBytes(path).toString('base64'), filename));
		}
	});

	it('marks chats read with sendSeen and shows typing', async () => {
		await gw.call('POST', '/api/mark-read', { chatId: '4915123456789@c.us', messageId: 'm', typing: true });
		expect(client().seen).toEqual([{ chatId: '4915123456789@c.us', typing: true }]);
	});

	it('forwards incoming messages and acks as webhook events', async () => {
		client().emit('message', {
			id: { _serialized: 'false_120363000000000001@g.us_IN1' },
			from: '120363000000000001@g.us',
			to: '4915000000001@c.us',
			author: '4915123456789@c.us',
			fromMe: false,
			type: 'image',
			body: 'a photo',
			timestamp: 1_700_000_000,
			hasMedia: true,
			hasQuotedMsg: true,
			_data: { notifyName: 'Ada' },
			downloadMedia: async () => ({ mimetype: 'image/png', data: 'cG5n', filename: null }),
			getQuotedMessage: async () => ({ id: { _serialized: 'true_120363000000000001@g.us_Q1' } }),
		});
		client().emit('message_ack', { id: { _serialized: 'true_4915123456789@c.us_OUT1' }, to: '4915123456789@c.us' }, 3);
		await waitFor(
			() => receiver.events('message').length === 1 && receiver.events('message_ack').length === 1,
			2_000,
			'message and ack events',
		);
		expect(receiver.events('message')[0].data).toEqual({
			id: 'false_120363000000000001@g.us_IN1',
			from: '120363000000000001@g.us',
			chatId: '120363000000000001@g.us',
			author: '4915123456789',
			name: 'Ada',
			fromMe: false,
			type: 'image',
			body: 'a photo',
			timestamp: 1_700_000_000,
			hasMedia: true,
			media: { mimetype: 'image/png', data: 'cG5n' },
			quotedMessageId: 'true_120363000000000001@g.us_Q1',
		});
		expect(receiver.events('message_ack')[0].data).toMatchObject({
			id: 'true_4915123456789@c.us_OUT1',
			to: '4915123456789',
			ack: 3,
			status: 'read',
		});
	});

	it('reconnects with a fresh client after a disconnect', async () => {
		const broken = client();
		broken.emit('disconnected', 'NAVIGATION');
		expect((await gw.call('GET', '/whatsapp-status')).body).toMatchObject({ authenticated: false, status: 'disconnected' });
		await waitFor(() => clients.length === 2 && client().initialized === 1, 2_000, 'a new client');
		expect(broken.destroyed).toBe(1);
		client().emit('ready');
		expect((await gw.call('GET', '/whatsapp-status')).body.status).toBe('ready');
		await waitFor(
			() => receiver.events('session').some((event) => event.data.state === 'disconnected' && event.data.reason === 'NAVIGATION'),
			2_000,
			'the disconnected event',
		);
	});
});
