import QRCode from 'qrcode';
import type { Session } from '../drivers/session';
import type { Router } from '../http/router';

export function sessionRoutes(router: Router, session: Session): void {
	router.add('GET', '/whatsapp-login', async () => {
		if (session.authenticated) return { status: 200, body: { status: 'already_authenticated' } };
		if (!session.qr) return { status: 200, body: { status: session.status, message: 'No QR code yet: try again in a few seconds' } };
		return { status: 200, body: { qrCode: await QRCode.toDataURL(session.qr), qr: session.qr, status: 'waiting_for_scan' } };
	});
	router.add('GET', '/whatsapp-status', async () => ({
		status: 200,
		body: {
			authenticated: session.authenticated,
			status: session.status,
			lastAuthenticated: session.lastAuthenticated?.toISOString() ?? null,
		},
	}));
}
