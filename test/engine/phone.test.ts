import { normalisePhone, parseRecipient } from '../../contract/phone';

test.each([
	['+49 151 2345 6789', '4915123456789'],
	['+49 (151) 2345-6789', '4915123456789'],
	['0049 151 23456789', '4915123456789'],
	['49.151.2345.6789', '4915123456789'],
	['4915123456789@c.us', '4915123456789'],
	['4915123456789@s.whatsapp.net', '4915123456789'],
	[4915123456789, '4915123456789'],
])('normalisePhone(%p) is %p', (raw, digits) => {
	expect(normalisePhone(raw)).toBe(digits);
});

test.each([
	['', /is empty/],
	['   ', /is empty/],
	[undefined, /is empty/],
	['+49 151', /is too short \(5 digits/],
	['1234567890123456', /is too long \(16 digits, at most 15\)/],
	['+49 151 CALL', /is not a phone number/],
	['49+15123456789', /is not a phone number/],
])('normalisePhone(%p) is refused with a message that says why', (raw, problem) => {
	expect(() => normalisePhone(raw)).toThrow(problem);
});

test('a refused number names the field it came from and the fix', () => {
	expect(() => normalisePhone('12', 'Receiver')).toThrow(
		expect.objectContaining({ kind: 'validation', field: 'Receiver', fix: expect.stringContaining('country code') }),
	);
});

test.each([
	['120363025246125486@g.us', { kind: 'group', chatId: '120363025246125486@g.us' }],
	['4915123456789-1612345678@g.us', { kind: 'group', chatId: '4915123456789-1612345678@g.us' }],
	['+49 151 23456789', { kind: 'person', digits: '4915123456789' }],
])('parseRecipient(%p) tells groups from people', (raw, recipient) => {
	expect(parseRecipient(raw)).toEqual(recipient);
});
