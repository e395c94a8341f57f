/**
 * The Lite gateway's error codes are one table (contract/liteErrors.ts): the gateway answers with its
 * codes and statuses, the nodes' client maps each of them, and docs/lite-api.md lists the same codes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LiteChannel } from '../../nodes/whatsapp/channel/lite';
import { WhatsAppError } from '../../contract/errors';
import { LITE_ERROR_CODES, type LiteErrorCode } from '../../contract/liteErrors';
import { ApiError } from '../../lite/src/http/errors';

const ROOT = resolve(__dirname, '../..');
const CODES = Object.keys(LITE_ERROR_CODES) as LiteErrorCode[];

/** The client, talking to a "gateway" that answers every request with `answer`. */
const clientFacing = (answer: ApiError) =>
	new LiteChannel({ url: 'http://gateway', suitId: 'suit-1' }, async () => ({
		statusCode: answer.status,
		headers: {},
		body: JSON.stringify(answer.body()),
	}));

async function clientErrorFor(answer: ApiError): Promise<WhatsAppError> {
	const thrown = await clientFacing(answer)
		.status()
		.then(
			() => undefined,
			(error: unknown) => error,
		);
	expect(thrown).toBeInstanceOf(WhatsAppError);
	return thrown as WhatsAppError;
}

test.each(CODES)('the client maps the gateway error %s with its status, whether it stops the suit, and a fix', async (code) => {
	const answer = new ApiError(code, `scripted ${code}`);
	const spec: { status: number; concernsSuit?: true } = LITE_ERROR_CODES[code];
	expect(answer.body().error).toMatchObject({ code, fix: LITE_ERROR_CODES[code].fix });
	const error = await clientErrorFor(answer);
	expect(error).toMatchObject({
		code,
		httpStatus: spec.status,
		stopsSender: spec.concernsSuit === true,
		backendMessage: `scripted ${code}`,
	});
	expect(error.kind).toBe(code === 'INTERNAL' ? 'ambiguous' : code === 'QUOTA_EXCEEDED' ? 'quota' : 'api');
	expect(error.fix.length).toBeGreaterThan(10);
});

test("docs/lite-api.md's error table lists exactly the contract's codes, each with its status", () => {
	const doc = readFileSync(join(ROOT, 'docs/lite-api.md'), 'utf8');
	const table = doc.slice(doc.indexOf('## Errors'), doc.indexOf('\n## ', doc.indexOf('## Errors') + 1));
	const documented = new Map<string, string>();
	for (const [, status, codes] of table.matchAll(/^\| (\dxx|\d{3}) \| ([^|]+) \|/gm)) {
		for (const [, code] of codes.matchAll(/`([A-Z_]+)`/g)) documented.set(code, status);
	}
	const contract = new Map(CODES.map((code) => [code, String(LITE_ERROR_CODES[code].status)]));
	contract.set('INTERNAL', '5xx');
	expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(contract));

	const wholeSuit = /^((?:`[A-Z_]+`(?:, | and )?)+) concern the whole suit/m.exec(table)?.[1];
	expect(new Set(wholeSuit?.match(/[A-Z_]+/g))).toEqual(new Set(CODES.filter((code) => 'concernsSuit' in LITE_ERROR_CODES[code])));
});

test('the gateway writes no error code of its own outside the contract', () => {
	const sources = readdirSync(join(ROOT, 'lite/src'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
	const literalCodes = sources.flatMap((file) =>
		[...readFileSync(join(ROOT, 'lite/src', file), 'utf8').matchAll(/\bcode: '([A-Z_]+)'/g)].map(([, code]) => `${file}: ${code}`),
	);
	expect(literalCodes).toEqual([]);
});
