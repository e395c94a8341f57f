import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metaError, senderRuleOf } from '../../nodes/whatsapp/channel/metaErrors';
import { backoffMs } from '../../nodes/whatsapp/delivery/retry';

const answer = (code: number, message = `(#${code}) message`, details?: string) => ({
	error: { message, type: 'OAuthException', code, ...(details && { error_data: { details } }), fbtrace_id: 'TRACE' },
});

/** docs/cloud-api.md's error table: code → whether trying again can help. */
test.each([
	[130429, true],
	[131056, true],
	[4, true],
	[80007, true],
	[131000, true],
	[131016, true],
	[2, true],
	[131057, true],
	[190, false],
	[0, false],
	[3, false],
	[10, false],
	[200, false],
	[299, false],
	[131005, false],
	[100, false],
	[131008, false],
	[131009, false],
	[131021, false],
	[131051, false],
	[131026, false],
	[131047, false],
	[131048, false],
	[131049, false],
	[368, false],
	[131031, false],
	[131050, false],
	[132000, false],
	[132001, false],
	[132005, false],
	[132007, false],
	[132012, false],
	[132015, false],
	[132016, false],
])('Meta error %i: retryable is %p, with a description and a fix', (code, retryable) => {
	const error = metaError(answer(code), 400);

	expect(error).toMatchObject({ kind: 'api', code, retryable, message: expect.stringMatching(new RegExp(`^WhatsApp error ${code}: .+`)) });
	expect(error.description.length).toBeGreaterThan(10);
	expect(error.fix.length).toBeGreaterThan(5);
});

/** The rows of docs/cloud-api.md's error table: each code (a range such as 200–299 by its ends) with its "retry?" cell. */
function documentedRules(): Array<[number, string]> {
	const doc = readFileSync(join(__dirname, '../../docs/cloud-api.md'), 'utf8');
	const table = doc.slice(doc.indexOf('| code | meaning | retry? |'), doc.indexOf('A network error after the request left'));
	return table
		.split('\n')
		.slice(2)
		.filter((row) => row.startsWith('|'))
		.flatMap((row) => {
			const [codes, , behaviour] = row
				.split('|')
				.slice(1, 4)
				.map((cell) => cell.trim());
			return codes.split(/,\s*|–/).map((code): [number, string] => [Number(code), behaviour]);
		});
}

test.each(documentedRules())('Meta error %i does for the sender what docs/cloud-api.md says: %s', (code, behaviour) => {
	const error = metaError(answer(code), 400);
	const rule = senderRuleOf(error);

	expect(error.retryable).toBe(behaviour.startsWith('yes'));
	expect(error.stopsSender).toBe(behaviour.includes('stops the sender'));
	expect(rule?.pausesSender ?? false).toBe(behaviour.includes('the whole sender waits'));
	expect(rule?.backoffGrowth ?? 2).toBe(behaviour.includes('4^n') ? 4 : 2);
});

test("the pair rate limit's retries wait 4^n, every other error's double; only Meta's errors have a rule", () => {
	const policy = { maxAttempts: 4, initialBackoffMs: 1000, maxBackoffMs: 60_000 };
	const all = () => 1;
	expect([1, 2, 3].map((attempt) => backoffMs(policy, attempt, metaError(answer(131056), 400), all))).toEqual([1000, 4000, 16_000]);
	expect([1, 2, 3].map((attempt) => backoffMs(policy, attempt, metaError(answer(130429), 400), all))).toEqual([1000, 2000, 4000]);
	expect(senderRuleOf(new Error('WhatsApp error 131056'))).toBeUndefined();
});

test("the mapping goes by Meta's code, not by the HTTP status", () => {
	expect(metaError(answer(131047), 500)).toMatchObject({ retryable: false, code: 131047 });
	expect(metaError(answer(130429), 400)).toMatchObject({ retryable: true, code: 130429 });
});

test("Meta's message, details and fbtrace_id are kept for the user; the details also in the description", () => {
	const error = metaError(
		answer(131009, '(#131009) Parameter value is not valid', 'Total row count exceed max allowed count: 10'),
		400,
		2000,
	);

	expect(error).toMatchObject({
		backendMessage: '(#131009) Parameter value is not valid: Total row count exceed max allowed count: 10',
		description: expect.stringMatching(/\(Total row count exceed max allowed count: 10\)$/),
		fbtraceId: 'TRACE',
		retryAfterMs: 2000,
		httpStatus: 400,
	});
});

test.each([
	['an empty body', ''],
	['an HTML page', '<html>Bad gateway</html>'],
	['nothing', undefined],
])('a 5xx with %s is ambiguous and not retryable: Meta may have accepted the message', (_what, body) => {
	expect(metaError(body, 502)).toMatchObject({ kind: 'ambiguous', retryable: false, httpStatus: 502 });
});

test("an unknown code at 4xx is not retryable and says to read Meta's message", () => {
	expect(metaError(answer(999999), 400)).toMatchObject({ retryable: false, fix: "Read Meta's message for what to change" });
});
