export type SessionStatus = 'starting' | 'waiting_for_scan' | 'authenticated' | 'ready' | 'disconnected';
/** The `session` event's states, as drivers report them. */
export type SessionEvent = 'qr' | 'authenticated' | 'ready' | 'disconnected' | 'auth_failure';

const STATUS_OF: Record<SessionEvent, SessionStatus> = {
	qr: 'waiting_for_scan',
	authenticated: 'authenticated',
	ready: 'ready',
	disconnected: 'disconnected',
	auth_failure: 'disconnected',
};

export type SessionListener = (state: SessionEvent, reason?: string) => void;

/** The WhatsApp session's state as /whatsapp-status shows it; drivers report changes, listeners hear them. */
export class Session {
	status: SessionStatus = 'starting';
	qr?: string;
	/** The linked phone's number (digits), known once the session is ready. */
	account?: string;
	lastAuthenticated?: Date;
	private readonly listeners: SessionListener[] = [];

	get ready(): boolean {
		return this.status === 'ready';
	}

	get authenticated(): boolean {
		return this.status === 'authenticated' || this.status === 'ready';
	}

	onChange(listener: SessionListener): void {
		this.listeners.push(listener);
	}

	report(state: SessionEvent, detail: { qr?: string; reason?: string; account?: string } = {}): void {
		this.status = STATUS_OF[state];
		this.qr = state === 'qr' ? detail.qr : undefined;
		if (state === 'ready') this.account = detail.account;
		else if (state !== 'authenticated') this.account = undefined;
		if (state === 'authenticated' || state === 'ready') this.lastAuthenticated = new Date();
		for (const listener of this.listeners) listener(state, detail.reason);
	}
}
