import { randomBytes } from 'node:crypto';
import type { MediaFetcher } from '../outbound/media';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { chatAddress, messageAck, type Driver, type DriverSink, type InboundMessage, type OutgoingMessage } from './types';

/** The phone the sandbox's QR is "scanned" with. */
export const SANDBOX_ACCOUNT = '15550100001';

/** Numbers ending in this have "no WhatsApp account" in the sandbox, so the 404 path can be tried. */
export const SANDBOX_NOT_ON_WHATSAPP_SUFFIX = '0000';
/** Numbers ending in this never read: their messages stop at delivered, so reports can tell delivered from read. */
export const SANDBOX_UNREAD_SUFFIX = '77';
/** Numbers ending in this fail after sending: ack 1 (sent) then -1 (failed), as WhatsApp Web reports a lost message. */
export const SANDBOX_ACK_FAILED_SUFFIX = '99';

/** The acks the sandbox simulates for a message to these digits, in order. */
function sandboxAcks(digits: string): number[] {
	if (digits.endsWith(SANDBOX_ACK_FAILED_SUFFIX)) return [1, -1];
	if (digits.endsWith(SANDBOX_UNREAD_SUFFIX)) return [1, 2];
	return [1, 2, 3];
}

export interface SandboxSent extends OutgoingMessage {
	id: string;
	chatId: string;
	timestamp: string;
}

export interface SandboxRead {
	chatId: string;
	typing: boolean;
	timestamp: string;
}

export interface SandboxOptions {
	ackDelayMs: number;
	/** Negative: the QR is never "scanned". */
	loginDelayMs: number;
	/** The same fetch as the real driver's, so the sandbox refuses the media URLs production refuses. */
	fetchMedia: MediaFetcher;
	/**
	 * Where the sent log is kept too (one JSON line per send), so it outlives a restart of the gateway like the
	 * messages on real phones would: crash tests count who received what across restarts.
	 */
	logFile?: string;
}

/**
 * No WhatsApp at all: a QR then a ready session, sends recorded in memory (media URLs fetched and dropped), acks
 * sent → delivered → read simulated (see sandboxAcks for the numbers that stop earlier or fail), and inbound
 * messages injected through `inbound`.
 */
export class SandboxDriver implements Driver {
	readonly sent: SandboxSent[] = [];
	readonly reads: SandboxRead[] = [];
	private readonly timers = new Set<NodeJS.Timeout>();

	constructor(
		private readonly sink: DriverSink,
		private readonly options: SandboxOptions,
	) {
		const { logFile } = options;
		if (logFile && existsSync(logFile)) {
			for (const line of readFileSync(logFile, 'utf8').split('\n')) if (line) this.sent.push(JSON.parse(line) as SandboxSent);
		}
	}

	async start(): Promise<void> {
		this.sink.session.report('qr', { qr: `sandbox-login-${randomBytes(8).toString('hex')}` });
		if (this.options.loginDelayMs < 0) return;
		this.later(this.options.loginDelayMs, () => this.scan());
	}

	/** The QR is "scanned" (at once, or by POST /sandbox/scan when the sandbox waits for it): the session gets ready. */
	scan(): void {
		if (this.sink.session.authenticated) return;
		this.sink.session.report('authenticated');
		this.sink.session.report('ready', { account: SANDBOX_ACCOUNT });
	}

	async stop(): Promise<void> {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
	}

	async numberId(digits: string): Promise<string | null> {
		return digits.endsWith(SANDBOX_NOT_ON_WHATSAPP_SUFFIX) ? null : `${digits}@c.us`;
	}

	async send(chatId: string, message: OutgoingMessage): Promise<string> {
		const { content } = message;
		if (content.kind === 'reaction') {
			this.record({ ...message, id: content.messageId, chatId, timestamp: new Date().toISOString() });
			return content.messageId;
		}
		// The bytes are fetched (and checked) as WhatsApp Web would need them, then dropped.
		if (content.kind === 'media' && 'url' in content.source) await this.options.fetchMedia(content.source.url);
		const id = `true_${chatId}_SANDBOX${randomBytes(8).toString('hex').toUpperCase()}`;
		this.record({ ...message, id, chatId, timestamp: new Date().toISOString() });
		sandboxAcks(chatAddress(chatId)).forEach((ack, index) =>
			this.later(this.options.ackDelayMs * (index + 1), () => this.sink.ack(messageAck(id, chatId, ack))),
		);
		return id;
	}

	async markRead(chatId: string, typing: boolean): Promise<void> {
		this.reads.push({ chatId, typing, timestamp: new Date().toISOString() });
	}

	/** An incoming message "as if someone wrote". */
	inbound(input: { from: string; body: string; type?: string; name?: string; quotedMessageId?: string }): InboundMessage {
		const chatId = input.from.includes('@') ? input.from : `${input.from}@c.us`;
		const message: InboundMessage = {
			id: `false_${chatId}_SANDBOX${randomBytes(8).toString('hex').toUpperCase()}`,
			from: chatAddress(chatId),
			chatId,
			...(input.name && { name: input.name }),
			fromMe: false,
			type: input.type ?? 'chat',
			body: input.body,
			timestamp: Math.floor(Date.now() / 1000),
			hasMedia: false,
			...(input.quotedMessageId && { quotedMessageId: input.quotedMessageId }),
		};
		this.sink.message(message);
		return message;
	}

	clear(): void {
		this.sent.length = 0;
		this.reads.length = 0;
		if (this.options.logFile) writeFileSync(this.options.logFile, '');
	}

	/** "WhatsApp" has the message from here on. */
	private record(sent: SandboxSent): void {
		this.sent.push(sent);
		if (this.options.logFile) appendFileSync(this.options.logFile, `${JSON.stringify(sent)}\n`);
	}

	private later(ms: number, action: () => void): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			action();
		}, ms);
		this.timers.add(timer);
	}
}
