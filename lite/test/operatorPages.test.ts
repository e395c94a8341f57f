import { SANDBOX_ACCOUNT } from '../src/drivers/sandbox';
import { API_KEY, startGateway, type TestGateway } from './helpers/gateway';
import { waitFor } from './helpers/wait';

/** The QR login and status pages: content negotiation, the two ways to log in, and what the page's poll reads. */
describe('operator pages (GET /whatsapp-login in a browser, /status)', () => {
	let lite: TestGateway;
	const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

	beforeEach(async () => {
		lite = await startGateway({ sandboxLoginDelayMs: -1, dailyQuota: 7 });
	});
	afterEach(() => lite.stop());

	const get = (path: string, headers: Record<string, string> = {}) => fetch(`${lite.url}${path}`, { headers, redirect: 'manual' });
	const cookieOf = (response: Response) => /^(lite_session=[^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
	const formLogin = (apiKey: string, next = '/status') =>
		fetch(`${lite.url}/ui/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ apiKey, next }),
			redirect: 'manual',
		});

	it('keeps the JSON answer for API clients, with or without Accept', async () => {
		for (const headers of [
			{ appApiKey: API_KEY },
			{ appApiKey: API_KEY, accept: 'application/json' },
			{ appApiKey: API_KEY, accept: '*/*' },
		] as Array<Record<string, string>>) {
			const answer = await lite.call('GET', '/whatsapp-login', undefined, headers);
			expect(answer.status).toBe(200);
			expect(answer.body).toEqual({
				qrCode: expect.stringMatching(/^data:image\/png;base64,/),
				qr: lite.gateway.session.qr,
				status: 'waiting_for_scan',
			});
		}
		expect((await lite.call('GET', '/whatsapp-login', undefined, {})).status).toBe(401);
	});

	it('shows a browser the login form, not the QR, without a session; a wrong key is refused', async () => {
		const page = await get('/whatsapp-login', html);
		expect(page.status).toBe(401);
		expect(page.headers.get('content-type')).toMatch(/^text\/html/);
		const text = await page.text();
		expect(text).toContain('name="apiKey"');
		expect(text).not.toContain('data:image/png');
		const wrong = await formLogin('not-the-key');
		expect(wrong.status).toBe(401);
		expect(cookieOf(wrong)).toBeUndefined();
		expect(await wrong.text()).toContain('That is not the gateway');
	});

	it('logs in with the API key in a form: an HttpOnly cookie, a redirect to a page of its own, never the key in a URL', async () => {
		const login = await formLogin(API_KEY, 'https://elsewhere.example/');
		expect(login.status).toBe(303);
		expect(login.headers.get('location')).toBe('/whatsapp-login');
		expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
		const page = await get('/whatsapp-login', { ...html, cookie: cookieOf(login)! });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('<img id="qr"');
	});

	it('exchanges a one-time link for a cookie exactly once', async () => {
		const link = await lite.call('POST', '/ui/links');
		expect(link.status).toBe(201);
		expect(link.body.path).toMatch(/^\/ui\/login\?token=[\w-]{20,}$/);
		expect((await fetch(`${lite.url}/ui/links`, { method: 'POST' })).status).toBe(401);

		const first = await get(link.body.path, html);
		expect(first.status).toBe(303);
		expect(first.headers.get('location')).toBe('/whatsapp-login');
		expect(cookieOf(first)).toBeDefined();
		const again = await get(link.body.path, html);
		expect(again.status).toBe(401);
		expect(cookieOf(again)).toBeUndefined();
		expect(await again.text()).toContain('already used or has expired');
	});

	it('the page state follows the session from QR to "connected as", with today\'s quota and the campaign queue', async () => {
		const cookie = cookieOf(await formLogin(API_KEY))!;
		const state = async () => (await (await get('/ui/state', { cookie })).json()) as { qrImage: string };
		expect((await get('/ui/state')).status).toBe(401);

		const waiting = await state();
		expect(waiting).toMatchObject({ status: 'waiting_for_scan', account: null, quota: { used: 0, limit: 7 }, queuedCampaignMessages: 0 });
		expect(waiting.qrImage).toMatch(/^data:image\/png;base64,/);

		lite.gateway.session.report('qr', { qr: 'rotated-by-whatsapp' }); // WhatsApp shows a new code every ~20 s
		const rotated = await state();
		expect(rotated.qrImage).toMatch(/^data:image\/png;base64,/);
		expect(rotated.qrImage).not.toBe(waiting.qrImage);

		expect((await fetch(`${lite.url}/ui/sandbox-scan`, { method: 'POST', redirect: 'manual' })).status).toBe(401);
		expect(lite.gateway.session.ready).toBe(false);
		const scan = await fetch(`${lite.url}/ui/sandbox-scan`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
		expect(scan.status).toBe(303);
		await waitFor(() => lite.gateway.session.ready, 5_000, 'the sandbox session');
		expect((await lite.call('POST', '/api/send-message', { number: '+49 151 23456789', message: 'Hi' })).status).toBe(200);
		expect(await state()).toEqual({
			status: 'ready',
			account: SANDBOX_ACCOUNT,
			qrImage: null,
			quota: { used: 1, limit: 7 },
			queuedCampaignMessages: 0,
			relay: null,
		});

		const status = await get('/status', { ...html, cookie });
		expect(status.status).toBe(200);
		const text = await status.text();
		expect(text).toContain('Messages sent today');
		expect(text).toContain('Cloud webhook relay');
		const script = await get('/ui/page.js');
		expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
		expect(status.headers.get('content-security-policy')).toContain("script-src 'self'");
	});

	it('refuses the login form and the sandbox scan posted from another site (Origin), and takes them from its own', async () => {
		const post = (path: string, headers: Record<string, string>, body?: URLSearchParams) =>
			fetch(`${lite.url}${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
				body,
				redirect: 'manual',
			});
		const form = new URLSearchParams({ apiKey: API_KEY, next: '/whatsapp-login' });
		const foreignHeaders: Array<Record<string, string>> = [
			{ origin: 'https://attacker.example' },
			{ origin: 'null' },
			{ 'sec-fetch-site': 'cross-site' },
		];
		for (const foreign of foreignHeaders) {
			const login = await post('/ui/login', foreign, form);
			expect([foreign, login.status, login.headers.get('set-cookie')]).toEqual([foreign, 403, null]);
			expect(await login.text()).toContain('Origin check');
		}
		const own = await post('/ui/login', { origin: new URL(lite.url).origin, 'sec-fetch-site': 'same-origin' }, form);
		expect(own.status).toBe(303);
		const cookie = cookieOf(own)!;
		expect((await post('/ui/sandbox-scan', { cookie, origin: 'https://attacker.example' })).status).toBe(403);
		expect(lite.gateway.session.ready).toBe(false);
		expect((await post('/ui/sandbox-scan', { cookie, origin: new URL(lite.url).origin })).status).toBe(303);
		await waitFor(() => lite.gateway.session.ready, 5_000, 'the sandbox session');
	});
});
