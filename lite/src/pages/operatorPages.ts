import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import QRCode from 'qrcode';
import type { Session } from '../drivers/session';
import { closeIfBodyUnread, readBody } from '../http/body';
import { type ApiError, isApiError, mediaTooLarge, unauthorized } from '../http/errors';
import type { RelayStatus } from '../relay/relay';
import { loginForm, pageScript, qrPage, statusPage } from './html';

/** What the pages show, read fresh on every poll. */
export interface PageState {
	session: Session;
	suitId: string;
	sandbox: boolean;
	quota(): Promise<{ used: number; limit: number }>;
	/** Campaign messages waiting in the queue (a per-campaign listing is not kept by the gateway). */
	queuedCampaignMessages(): Promise<number>;
	/** The Cloud webhook relay's counts and backlogs, when it runs. */
	relay?(): RelayStatus;
}

export interface OperatorPagesOptions {
	/** The API's own key check (appApiKey / Bearer); undefined key = an open sandbox. */
	authorized(headers: IncomingHttpHeaders): boolean;
	open: boolean;
	state: PageState;
	/** Sandbox only: "scans" the QR code, for the page's button (no phone in a sandbox). */
	sandboxScan?: () => void;
}

const COOKIE = 'lite_session';
const SESSION_TTL_MS = 12 * 60 * 60_000;
const LINK_TTL_MS = 10 * 60_000;
/** Bounds: the oldest browser session or unused link is dropped past these. */
const MAX_SESSIONS = 50;
const MAX_LINKS = 20;
const MAX_FORM_BYTES = 4096;
const CSP =
	"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Pages a browser may land on after logging in (never a URL from outside). */
const PAGES = new Set(['/whatsapp-login', '/status']);

/**
 * The operator's pages of the gateway (docs in lite/README.md): `GET /whatsapp-login` in a browser shows the QR code,
 * refreshing as WhatsApp rotates it, until the session is connected; `GET /status` shows today's quota and the
 * campaign queue. API clients keep the JSON of `/whatsapp-login` (the router answers whatever does not ask for
 * text/html). The API key never travels in a URL: a browser logs in with it in a form, or opens a one-time link
 * (`POST /ui/links` with the key, e.g. printed by `npm start`) that is exchanged once for an HttpOnly cookie.
 */
export class OperatorPages {
	private readonly sessions = new Map<string, number>();
	private readonly links = new Map<string, number>();

	constructor(private readonly options: OperatorPagesOptions) {}

	/** Serves the request when it is one of the pages' and returns true; false leaves it to the API router. */
	serve(request: IncomingMessage, response: ServerResponse): boolean {
		const url = new URL(request.url ?? '/', 'http://gateway');
		const route = `${request.method} ${url.pathname.replace(/\/$/, '') || '/'}`;
		const wantsHtml = /\btext\/html\b/.test(request.headers.accept ?? '');
		let action: (() => Promise<void>) | undefined;
		if ((route === 'GET /whatsapp-login' || route === 'GET /status') && wantsHtml)
			action = () => this.page(request, response, url.pathname.replace(/\/$/, ''));
		else if (route === 'POST /ui/login') action = () => this.formLogin(request, response);
		else if (route === 'POST /ui/sandbox-scan' && this.options.sandboxScan) action = () => this.sandboxScan(request, response);
		else if (route === 'GET /ui/login') action = async () => this.linkLogin(url, response);
		else if (route === 'POST /ui/links') action = () => this.createLink(request, response);
		else if (route === 'GET /ui/state') action = () => this.stateJson(request, response);
		else if (route === 'GET /ui/page.js') action = async () => reply(response, 200, 'text/javascript; charset=utf-8', pageScript);
		if (!action) return false;
		if ((route === 'POST /ui/login' || route === 'POST /ui/sandbox-scan') && crossOrigin(request)) {
			closeIfBodyUnread(request, response);
			reply(response, 403, 'text/plain; charset=utf-8', 'Refused: this form was posted from another site (Origin check)');
			return true;
		}
		action().catch((error: unknown) => {
			if (response.headersSent) return;
			closeIfBodyUnread(request, response);
			if (isApiError(error)) replyError(response, error);
			else reply(response, 500, 'text/plain; charset=utf-8', 'The page could not be shown');
		});
		return true;
	}

	private async page(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
		if (!this.loggedIn(request)) return reply(response, 401, 'text/html; charset=utf-8', loginForm(path));
		const { suitId, sandbox } = this.options.state;
		reply(response, 200, 'text/html; charset=utf-8', path === '/status' ? statusPage(suitId) : qrPage(suitId, sandbox));
	}

	private async formLogin(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const form = new URLSearchParams(await readForm(request));
		const next = PAGES.has(form.get('next') ?? '') ? (form.get('next') as string) : '/whatsapp-login';
		const apiKey = form.get('apiKey') ?? '';
		if (!this.options.open && !this.options.authorized({ appapikey: apiKey })) {
			return reply(response, 401, 'text/html; charset=utf-8', loginForm(next, "That is not the gateway's API key (API_KEY)."));
		}
		this.startSession(response, next);
	}

	private async sandboxScan(request: IncomingMessage, response: ServerResponse): Promise<void> {
		await readForm(request);
		if (!this.loggedIn(request)) return reply(response, 401, 'text/html; charset=utf-8', loginForm('/whatsapp-login'));
		this.options.sandboxScan?.();
		response.writeHead(303, { Location: '/whatsapp-login', 'Cache-Control': 'no-store' }).end();
	}

	private linkLogin(url: URL, response: ServerResponse): void {
		const token = url.searchParams.get('token') ?? '';
		const expires = this.links.get(token);
		this.links.delete(token); // once, valid or not
		if (expires === undefined || expires < Date.now()) {
			return reply(
				response,
				401,
				'text/html; charset=utf-8',
				loginForm('/whatsapp-login', 'This login link was already used or has expired: log in with the API key.'),
			);
		}
		this.startSession(response, '/whatsapp-login');
	}

	private async createLink(request: IncomingMessage, response: ServerResponse): Promise<void> {
		await readForm(request);
		if (!this.options.authorized(request.headers)) return replyError(response, unauthorized());
		const token = randomBytes(24).toString('base64url');
		remember(this.links, token, Date.now() + LINK_TTL_MS, MAX_LINKS);
		reply(
			response,
			201,
			'application/json; charset=utf-8',
			JSON.stringify({ path: `/ui/login?token=${token}`, expiresAt: new Date(Date.now() + LINK_TTL_MS).toISOString() }),
		);
	}

	private async stateJson(request: IncomingMessage, response: ServerResponse): Promise<void> {
		if (!this.loggedIn(request) && !this.options.authorized(request.headers)) {
			return replyError(response, unauthorized('Log in again, or send the API key'));
		}
		const { session, quota, queuedCampaignMessages, relay } = this.options.state;
		const body = {
			status: session.status,
			account: session.account ?? null,
			qrImage: session.qr ? await QRCode.toDataURL(session.qr) : null,
			quota: await quota(),
			queuedCampaignMessages: await queuedCampaignMessages(),
			relay: relay?.() ?? null,
		};
		reply(response, 200, 'application/json; charset=utf-8', JSON.stringify(body));
	}

	private startSession(response: ServerResponse, next: string): void {
		const id = randomBytes(24).toString('base64url');
		remember(this.sessions, id, Date.now() + SESSION_TTL_MS, MAX_SESSIONS);
		response.writeHead(303, {
			Location: next,
			'Set-Cookie': `${COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}`,
			'Cache-Control': 'no-store',
		});
		response.end();
	}

	private loggedIn(request: IncomingMessage): boolean {
		if (this.options.open) return true;
		const id = cookie(request.headers.cookie, COOKIE);
		const expires = id === undefined ? undefined : this.sessions.get(id);
		return expires !== undefined && expires > Date.now();
	}
}

/**
 * A browser form posted from another site (login CSRF, a forged sandbox scan): its Origin names another host than the
 * request went to, or is "null" (a sandboxed or privacy-stripped context); without Origin, Sec-Fetch-Site tells.
 * Clients that are not browsers send neither and are judged by their credentials alone. SameSite=Strict cookies
 * stay the second defence.
 */
function crossOrigin(request: IncomingMessage): boolean {
	const { origin, host } = request.headers;
	if (origin === undefined) return request.headers['sec-fetch-site'] === 'cross-site';
	try {
		const forwarded = request.headers['x-forwarded-host'];
		const hosts = [host, ...(typeof forwarded === 'string' ? forwarded.split(',').map((entry) => entry.trim()) : [])];
		return !hosts.includes(new URL(origin).host);
	} catch {
		return true; // "null" or not a URL
	}
}

/** Keeps `key` until `expires`; past `max` entries the expired and then the oldest go first. */
function remember(map: Map<string, number>, key: string, expires: number, max: number): void {
	const now = Date.now();
	for (const [old, until] of map) if (until < now) map.delete(old);
	while (map.size >= max) map.delete(map.keys().next().value as string);
	map.set(key, expires);
}

function cookie(header: string | undefined, name: string): string | undefined {
	for (const part of (header ?? '').split(';')) {
		const [key, ...value] = part.trim().split('=');
		if (key === name) return value.join('=');
	}
	return undefined;
}

const formTooLarge = () =>
	mediaTooLarge(
		`The form is larger than the pages' limit of ${MAX_FORM_BYTES} bytes`,
		'Send only the form fields (apiKey, next); this page takes no files',
	);

/** The pages' POST bodies (a login form, or nothing): bounded, and refused with 413 past the bound. */
async function readForm(request: IncomingMessage): Promise<string> {
	return (await readBody(request, MAX_FORM_BYTES, formTooLarge)).toString('utf8');
}

function replyError(response: ServerResponse, error: ApiError): void {
	reply(response, error.status, 'application/json; charset=utf-8', JSON.stringify(error.body()));
}

function reply(response: ServerResponse, status: number, type: string, body: string): void {
	response.writeHead(status, {
		'Content-Type': type,
		'Content-Security-Policy': CSP,
		'Cache-Control': 'no-store',
		'X-Content-Type-Options': 'nosniff',
	});
	response.end(body);
}
