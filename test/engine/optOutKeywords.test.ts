import {
	DEFAULT_OPT_IN_KEYWORDS,
	DEFAULT_OPT_OUT_KEYWORDS,
	keywordForm,
	optOutKeywords,
	recordOptOuts,
} from '../../nodes/whatsapp/inbound/optOuts';
import type { InboundEvent } from '../../nodes/whatsapp/inbound/event';
import { MemoryOptOuts } from '../../nodes/whatsapp/store/optOuts';

const keywords = optOutKeywords(DEFAULT_OPT_OUT_KEYWORDS, DEFAULT_OPT_IN_KEYWORDS);
const matches = (text: string) => keywords.optOut.has(keywordForm(text));

describe('opt-out keywords: whole message, case, accents and surrounding punctuation ignored', () => {
	it.each([
		'STOP',
		'stop',
		' Stop! ',
		'ＳＴＯＰ',
		'Arrêt',
		'ARRÊT.',
		'baja',
		'Stopp',
		'unsubscribe 🛑',
		'إلغاء',
		'الغاء',
		'إلـــغاء',
		'إِلْغَاء',
	])('%j opts out', (text) => {
		expect(matches(text)).toBe(true);
	});

	it.each(['stop it', 'please stop', 'STOPPED', 'stop.stop', 'إلغاء الطلب', 'ok', ''])('%j does not', (text) => {
		expect(matches(text)).toBe(false);
	});

	it('START and its equivalents opt in', () => {
		for (const text of ['start', 'Unstop', 'ALTA', 'اشتراك']) expect(keywords.optIn.has(keywordForm(text))).toBe(true);
	});

	it('refuses an empty list, naming the field', () => {
		expect(() => optOutKeywords(' , ', 'START')).toThrow('Opt-Out Keywords " , " has no keyword');
		expect(() => optOutKeywords('STOP', '')).toThrow('Opt-In Keywords "" has no keyword');
	});
});

describe('recordOptOuts', () => {
	const message = (text: string, extra: Partial<InboundEvent> = {}): InboundEvent => ({
		event: 'message',
		backend: 'lite',
		businessNumber: 'suit-1',
		from: '4915123456789',
		type: 'text',
		text,
		raw: {},
		...extra,
	});

	it("records a person's own message only: not a group message, not a status", async () => {
		const store = new MemoryOptOuts();
		const now = new Date('2026-05-01T09:30:00Z');
		const events = await recordOptOuts(
			[
				message('STOP', { groupId: '120363025246125486@g.us' }),
				{ ...message('STOP'), event: 'status' },
				message('STOP', { from: '4915100000001' }),
			],
			store,
			keywords,
			now,
		);
		expect(events.map((event) => event.optOut)).toEqual([
			undefined,
			undefined,
			{ action: 'opted_out', keyword: 'STOP', at: '2026-05-01T09:30:00.000Z' },
		]);
		expect(await store.lookup({ backend: 'lite', senderId: 'suit-1' }, ['4915123456789', '4915100000001'])).toEqual([
			undefined,
			{ at: '2026-05-01T09:30:00.000Z', source: 'keyword', keyword: 'STOP' },
		]);
	});
});
