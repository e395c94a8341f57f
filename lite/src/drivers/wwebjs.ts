import { causeOf, type Logger } from '../../../contract/log';
import { invalidRequest } from '../http/errors';
import type { MediaFetcher } from '../outbound/media';
import { messageAck, type Content, type Driver, type DriverSink, type OutgoingMessage } from './types';
import { inboundMessage, type WwebjsMessage } from './wwebjsInbound';

/** The parts of a whatsapp-web.js Client the driver uses; tests pass an EventEmitter stand-in. */
export interface WwebjsClient {
	// EventEmitter's own listener type, so the real Client and an EventEmitter stand-in both fit.
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	on(event: string, listener: (...args: any[]) => void): unknown;
	initialize(): Promise<void>;
	destroy(): Promise<void>;
	getNumberId(number: string): Promise<{ _serialized: string } | null>;
	sendMessage(chatId: string, content: unknown, options?: Record<string, unknown>): Promise<{ id: { _serialized: string } }>;
	getMessageById(messageId: string): Promise<WwebjsMessage | undefined | null>;
	getChatById(chatId: string): Promise<{ sendSeen(): Promise<unknown>; sendStateTyping(): Promise<unknown> }>;
	/** The linked account, once ready. */
	info?: { wid?: { user?: string } };
}

/** The whatsapp-web.js exports the driver uses (the real module, or stand-ins in tests). */
export interface WwebjsLibrary {
	Client: new (options: Record<string, unknown>) => WwebjsClient;
	LocalAuth: new (options: { clientId: string; dataPath: string }) => unknown;
	/** Built from bytes only: `MessageMedia.fromUrl` fetches with no address check, timeout or size limit. */
	MessageMedia: new (mimetype: string, data: string, filename?: string | null) => unknown;
	Location: new (latitude: number, longitude: number, options?: { name?: string; address?: string }) => unknown;
}

export interface WwebjsOptions {
	library: WwebjsLibrary;
	suitId: string;
	sessionDir: string;
	chromiumPath: string;
	maxInlineMediaBytes: number;
	/** Media URLs are fetched through the gateway's outbound policy. */
	fetchMedia: MediaFetcher;
	/** First wait before reconnecting after a disconnect; doubles on each failed attempt, up to a minute. */
	reconnectDelayMs: number;
	log: Logger;
}

const MAX_RECONNECT_DELAY_MS = 60_000;

/** WhatsApp Web through whatsapp-web.js: LocalAuth session per suit, system Chromium, reconnect on disconnect. */
export class WwebjsDriver implements Driver {
	private client?: WwebjsClient;
	private reconnectTimer?: NodeJS.Timeout;
	private reconnectDelayMs: number;
	private stopped = false;

	constructor(
		private readonly sink: DriverSink,
		private readonly options: WwebjsOptions,
	) {
		this.reconnectDelayMs = options.reconnectDelayMs;
	}

	async start(): Promise<void> {
		this.connect();
	}

	async stop(): Promise<void> {
		this.stopped = true;
		clearTimeout(this.reconnectTimer);
		await this.client?.destroy().catch((error: unknown) => this.options.log.warn('WhatsApp Web did not close cleanly', causeOf(error)));
	}

	private connect(): void {
		const { library, suitId, sessionDir, chromiumPath } = this.options;
		const client = new library.Client({
			authStrategy: new library.LocalAuth({ clientId: suitId, dataPath: sessionDir }),
			puppeteer: { executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-setuid-sandbox'] },
		});
		this.client = client;
		const { session } = this.sink;
		client.on('qr', (qr: string) => session.report('qr', { qr }));
		client.on('authenticated', () => session.report('authenticated'));
		client.on('auth_failure', (reason: unknown) => session.report('auth_failure', { reason: String(reason) }));
		client.on('ready', () => {
			this.reconnectDelayMs = this.options.reconnectDelayMs;
			session.report('ready', { account: client.info?.wid?.user });
		});
		client.on('message', (message: WwebjsMessage) => {
			inboundMessage(message, this.options.maxInlineMediaBytes, this.options.log)
				.then((event) => this.sink.message(event))
				.catch((error: unknown) => this.options.log.warn('Could not forward an incoming message', causeOf(error)));
		});
		client.on('message_ack', (message: WwebjsMessage, ack: number) => this.sink.ack(messageAck(message.id._serialized, message.to, ack)));
		client.on('disconnected', (reason: unknown) => {
			session.report('disconnected', { reason: String(reason) });
			this.scheduleReconnect(client);
		});
		client.initialize().catch((error: unknown) => {
			this.options.log.error('WhatsApp Web did not start', causeOf(error));
			this.scheduleReconnect(client);
		});
	}

	/** A fresh client replaces the broken one (LocalAuth restores the session without a new QR when it can). */
	private scheduleReconnect(broken: WwebjsClient): void {
		if (this.stopped || broken !== this.client) return;
		const delay = this.reconnectDelayMs;
		this.reconnectDelayMs = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
		this.options.log.info(`Reconnecting to WhatsApp Web in ${delay} ms`);
		this.reconnectTimer = setTimeout(() => {
			broken
				.destroy()
				.catch((error: unknown) => this.options.log.warn('The broken WhatsApp Web client did not close cleanly', causeOf(error)))
				.finally(() => {
					if (!this.stopped) this.connect();
				});
		}, delay);
	}

	private get connected(): WwebjsClient {
		if (!this.client) throw new Error('The WhatsApp Web client has not started');
		return this.client;
	}

	async numberId(digits: string): Promise<string | null> {
		const id = await this.connected.getNumberId(digits);
		return id?._serialized ?? null;
	}

	async send(chatId: string, message: OutgoingMessage): Promise<string> {
		const { content, quotedMessageId } = message;
		if (content.kind === 'reaction') return this.react(content.messageId, content.emoji);
		const options = { ...(quotedMessageId && { quotedMessageId }), ...mediaOptions(content) };
		const sent = await this.connected.sendMessage(chatId, await this.body(content), options);
		return sent.id._serialized;
	}

	private async react(messageId: string, emoji: string): Promise<string> {
		const target = await this.connected.getMessageById(messageId);
		if (!target?.react) {
			throw invalidRequest(
				`reaction.messageId "${messageId}" is not a message this session knows`,
				"React to the ID of a message in one of this WhatsApp account's chats",
			);
		}
		await target.react(emoji);
		return messageId;
	}

	private async body(content: Exclude<Content, { kind: 'reaction' }>): Promise<unknown> {
		const { MessageMedia, Location } = this.options.library;
		switch (content.kind) {
			case 'text':
				return content.text;
			case 'location':
				return new Location(content.latitude, content.longitude, { name: content.name, address: content.address });
			case 'media': {
				const { source } = content;
				const media = 'url' in source ? await this.options.fetchMedia(source.url) : source;
				return new MessageMedia(media.mimetype, media.data, content.filename ?? media.filename);
			}
		}
	}

	async markRead(chatId: string, typing: boolean): Promise<void> {
		const chat = await this.connected.getChatById(chatId);
		await chat.sendSeen();
		if (typing) await chat.sendStateTyping();
	}
}

function mediaOptions(content: Content): Record<string, unknown> {
	if (content.kind !== 'media') return {};
	return {
		...(content.caption && { caption: content.caption }),
		...(content.asVoice && { sendAudioAsVoice: true }),
		...(content.mediaType === 'sticker' && { sendMediaAsSticker: true }),
		...(content.mediaType === 'document' && { sendMediaAsDocument: true }),
	};
}
