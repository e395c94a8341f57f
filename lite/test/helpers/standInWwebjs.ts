import { EventEmitter } from 'node:events';
import type { WwebjsClient, WwebjsLibrary } from '../../src/drivers/wwebjs';

/** A whatsapp-web.js Client stand-in: the test emits its events and reads what the driver asked of it. */
export class StandInClient extends EventEmitter implements WwebjsClient {
	initialized = 0;
	destroyed = 0;
	readonly sent: Array<{ chatId: string; content: unknown; options?: Record<string, unknown> }> = [];
	readonly reactions: Array<{ messageId: string; emoji: string }> = [];
	readonly seen: Array<{ chatId: string; typing: boolean }> = [];

	constructor(readonly options: Record<string, any>) {
		super();
	}

	async initialize() {
		this.initialized++;
	}

	async destroy() {
		this.destroyed++;
	}

	async getNumberId(number: string) {
		return number.endsWith('0000') ? null : { _serialized: `${number}@c.us` };
	}

	async sendMessage(chatId: string, content: unknown, options?: Record<string, unknown>) {
		this.sent.push({ chatId, content, options });
		return { id: { _serialized: `true_${chatId}_OUT${this.sent.length}` } };
	}

	async getMessageById(messageId: string) {
		if (messageId === 'unknown') return undefined;
		return {
			id: { _serialized: messageId },
			from: '',
			to: '',
			fromMe: false,
			type: 'chat',
			body: '',
			timestamp: 0,
			hasMedia: false,
			react: async (emoji: string) => {
				this.reactions.push({ messageId, emoji });
			},
		};
	}

	async getChatById(chatId: string) {
		const entry = { chatId, typing: false };
		return {
			sendSeen: async () => this.seen.push(entry),
			sendStateTyping: async () => {
				entry.typing = true;
			},
		};
	}
}

export class StandInMedia {
	/** URLs given to `fromUrl`, which fetches with no address check: the driver must never call it. */
	static fromUrlCalls: string[] = [];

	constructor(
		readonly mimetype: string,
		readonly data: string,
		readonly filename?: string | null,
	) {}

	static async fromUrl(url: string): Promise<never> {
		StandInMedia.fromUrlCalls.push(url);
		throw new Error('MessageMedia.fromUrl fetches without the outbound policy');
	}
}

export class StandInLocation {
	constructor(
		readonly latitude: number,
		readonly longitude: number,
		readonly options?: { name?: string; address?: string },
	) {}
}

/** A library whose Client constructor records every client the driver creates. */
export function standInLibrary(): { library: WwebjsLibrary; clients: StandInClient[]; auths: unknown[] } {
	const clients: StandInClient[] = [];
	const auths: unknown[] = [];
	const library: WwebjsLibrary = {
		Client: class extends StandInClient {
			constructor(options: Record<string, unknown>) {
				super(options);
				clients.push(this);
			}
		},
		LocalAuth: class {
			constructor(options: unknown) {
				auths.push(options);
			}
		},
		MessageMedia: StandInMedia,
		Location: StandInLocation,
	};
	return { library, clients, auths };
}
