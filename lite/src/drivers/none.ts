import type { Driver, DriverSink } from './types';

/**
 * DRIVER=none: no WhatsApp Web session at all, for a gateway that only runs the Cloud webhook relay. The session
 * stays disconnected (sends answer 409 SESSION_NOT_READY, campaigns wait), and no browser is started.
 */
export class NoDriver implements Driver {
	constructor(private readonly sink: DriverSink) {}

	async start(): Promise<void> {
		this.sink.session.report('disconnected', { reason: 'DRIVER=none: this gateway runs the Cloud webhook relay only' });
	}

	async stop(): Promise<void> {}

	async numberId(): Promise<string | null> {
		throw new Error('DRIVER=none has no WhatsApp session');
	}

	async send(): Promise<string> {
		throw new Error('DRIVER=none has no WhatsApp session');
	}

	async markRead(): Promise<void> {
		throw new Error('DRIVER=none has no WhatsApp session');
	}
}
