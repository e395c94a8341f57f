import { request } from 'node:http';
import { connect } from 'node:net';
import { startRedis, type TestRedis } from '../../../test/harness/redis';
import { type Logger, silentLogger } from '../../../contract/log';
import { API_KEY, startGateway, type TestGateway } from '../helpers/gateway';

/**
 * Request-handling probes (issue 10, item 3): bodies are bounded before and while reading, only JSON is parsed,
 * a malformed path is the caller's error, and message text has a length limit. Nothing reaches WhatsApp.
 */
let redis: TestRedis;
let gw: TestGateway;
const errors: string[] = [];
const recordingLog: Logger = { ...silentLogger, error: (message) => errors.push(message) };

beforeAll(async () => {
	redis = await startRedis();
	// The default body limit (from MAX_INLINE_MEDIA_BYTES = 16 MiB): about 22 MB.
	gw = await startGateway({ redisUrl: redis.url, maxInlineMediaBytes: 16 * 1024 * 1024 }, { log: recordingLog });
});
afterAll(async () => {
	await gw.stop();
	await redis.stop();
});
afterEach(() => {
	expect(gw.sandbox.sent).toEqual([]);
	expect(errors).toEqual([]);
});

interface EarlyAnswer {
	status: number;
	body: any;
	/** Request body bytes the client had written when the answer came. */
	bytesWritten: number;
}

/**
 * Starts a POST whose body is never finished: `declaredLength` goes in Content-Length (else the body is chunked)
 * and `sendBytes` are written. Resolves with the answer the gateway gives while the body is still open.
 */
function postUnfinished(path: string, declaredLength: number | undefined, sendBytes: number): Promise<EarlyAnswer> {
	const { hostname, port } = new URL(gw.url);
	return new Promise((resolve, reject) => {
		const outgoing = request({
			hostname,
			port,
			path,
			method: 'POST',
			headers: {
				appApiKey: API_KEY,
				'Content-Type': 'application/json',
				...(declaredLength !== undefined && { 'Content-Length': declaredLength }),
			},
		});
		let bytesWritten = 0;
		outgoing.on('response', (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => {
				resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), bytesWritten });
				outgoing.destroy();
			});
		});
		outgoing.on('error', reject);
		if (sendBytes === 0) return void outgoing.flushHeaders();
		const payload = Buffer.from(`{"number":"4915123456789","message":"${'x'.repeat(sendBytes)}`);
		bytesWritten = payload.length;
		outgoing.write(payload);
	});
}

it('answers 413 to a 25 MB Content-Length before reading any of the body', async () => {
	const answer = await postUnfinished('/api/send-message', 25 * 1024 * 1024, 0);
	expect(answer).toMatchObject({ status: 413, bytesWritten: 0 });
	expect(answer.body.error).toMatchObject({ code: 'MEDIA_TOO_LARGE', message: expect.stringContaining('limit of') });
});

it('cuts off a chunked body as soon as it passes the limit, without waiting for its end', async () => {
	const answer = await postUnfinished('/api/send-message', undefined, 23 * 1024 * 1024);
	expect(answer.status).toBe(413);
	expect(answer.body.error.code).toBe('MEDIA_TOO_LARGE');
});

it('answers 415 to a body that is not declared as JSON, without parsing it', async () => {
	const body = JSON.stringify({ number: '4915123456789', message: 'sent as text/plain' });
	for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
		const answer = await gw.call('POST', '/api/send-message', body, { appApiKey: API_KEY, 'Content-Type': type });
		expect(answer.status).toBe(415);
		expect(answer.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', fix: expect.stringContaining('application/json') });
	}
	expect(
		(await gw.call('POST', '/api/send-message', body, { appApiKey: API_KEY, 'Content-Type': 'application/json; charset=utf-8' })).status,
	).toBe(200);
	gw.sandbox.clear();
});

it('answers 400 to a malformed percent-encoded path and logs no error', async () => {
	for (const path of ['/webhooks/%E0%A4%A', '/webhooks/%', '/webhooks/%ZZ']) {
		const answer = await gw.call('DELETE', path);
		expect(answer.status).toBe(400);
		expect(answer.body.error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('percent-encoding') });
	}
});

it('refuses a 10 MB text with 400 naming MAX_TEXT_LENGTH', async () => {
	const answer = await gw.call('POST', '/api/send-message', { number: '4915123456789', message: 'x'.repeat(10 * 1024 * 1024) });
	expect(answer.status).toBe(400);
	expect(answer.body.error).toMatchObject({
		code: 'INVALID_REQUEST',
		message: expect.stringContaining('10485760 characters'),
		fix: expect.stringContaining('MAX_TEXT_LENGTH'),
	});
	const caption = await gw.call('POST', '/api/send-message', {
		number: '4915123456789',
		message: 'x'.repeat(5000),
		imageUrl: 'https://media.example/a.jpg',
	});
	expect(caption.status).toBe(400);
	expect(caption.body.error.message).toContain('5000 characters');
});

interface SlowPost {
	status: number;
	body: string;
	/** Body bytes written before the gateway answered and closed the connection. */
	bytesWritten: number;
	closedByGateway: boolean;
}

/**
 * POSTs a chunked body of `totalBytes` slowly (1 KiB every 5 ms) and never ends it: a gateway that reads it all
 * gets every byte and still no end. Resolves once the gateway closed the connection, or 2 s after the last chunk.
 */
function postSlowly(path: string, totalBytes: number, headers: Record<string, string>): Promise<SlowPost> {
	const { hostname, port } = new URL(gw.url);
	return new Promise((resolve) => {
		const socket = connect(Number(port), hostname);
		const answer: Buffer[] = [];
		let bytesWritten = 0;
		let closedByGateway = false;
		let timer: NodeJS.Timeout;
		const finish = () => {
			clearTimeout(timer);
			socket.destroy();
			const text = Buffer.concat(answer).toString('utf8');
			resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), body: text, bytesWritten, closedByGateway });
		};
		const chunk = Buffer.alloc(1024, 'a');
		const writeNext = () => {
			if (socket.destroyed || socket.writableEnded) return;
			if (bytesWritten >= totalBytes) return void (timer = setTimeout(finish, 2_000));
			socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
			bytesWritten += chunk.length;
			timer = setTimeout(writeNext, 5);
		};
		socket.on('data', (data) => answer.push(data));
		socket.once('end', () => {
			closedByGateway = true;
			finish();
		});
		socket.once('error', () => {
			closedByGateway = true;
			finish();
		});
		const head = Object.entries({ Host: `${hostname}:${port}`, 'Transfer-Encoding': 'chunked', ...headers })
			.map(([name, value]) => `${name}: ${value}\r\n`)
			.join('');
		socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`, writeNext);
	});
}

describe("the operator pages' POST bodies (the QR login form)", () => {
	const FORM = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' };

	it('answer 413 to a slow oversized login form as soon as it passes 4 KiB, and close without reading the rest', async () => {
		const answer = await postSlowly('/ui/login', 512 * 1024, FORM);
		expect(answer.status).toBe(413);
		expect(answer.body).toContain('"code":"MEDIA_TOO_LARGE"');
		expect(answer.body).toMatch(/connection: close/i);
		expect(answer.closedByGateway).toBe(true);
		expect(answer.bytesWritten).toBeLessThan(64 * 1024);
	});

	it('answer 413 to a declared Content-Length past 4 KiB before reading any of it', async () => {
		const answer = await gw.call('POST', '/ui/login', 'x'.repeat(5000), FORM);
		expect(answer.status).toBe(413);
		expect(answer.body.error).toMatchObject({ code: 'MEDIA_TOO_LARGE', message: expect.stringContaining('4096 bytes') });
	});

	it('bound the bodies of the other page POSTs the same way', async () => {
		const answer = await postSlowly('/ui/links', 512 * 1024, { appApiKey: API_KEY });
		expect(answer).toMatchObject({ status: 413, closedByGateway: true });
		expect(answer.bytesWritten).toBeLessThan(64 * 1024);
	});
});

describe('slow requests are cut off (REQUEST_TIMEOUT_MS, HEADERS_TIMEOUT_MS), not held 300 s', () => {
	let slow: TestGateway;
	beforeAll(async () => {
		slow = await startGateway({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
	});
	afterAll(() => slow.stop());

	/** What the gateway writes on a socket that sends `start` and then nothing, until it closes the connection. */
	const answerToStalled = (start: string) =>
		new Promise<string>((resolve, reject) => {
			const socket = connect(Number(new URL(slow.url).port), '127.0.0.1', () => socket.write(start));
			let answer = '';
			socket.on('data', (data) => (answer += data.toString('latin1')));
			socket.once('close', () => resolve(answer));
			socket.once('error', reject);
		});

	it('answers 408 and closes a request whose body stalls', async () => {
		const answer = await answerToStalled(
			`POST /api/send-message HTTP/1.1\r\nHost: gw\r\nappApiKey: ${API_KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"number":`,
		);
		expect(answer).toMatch(/^HTTP\/1\.1 408/);
	});

	it('answers 408 and closes a request whose headers stall', async () => {
		expect(await answerToStalled(`GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Slow: a`)).toMatch(/^HTTP\/1\.1 408/);
	});
});
