import { identityAliases, identityKey, isBsuid, linkedIdentity, parseBsuid, parseContact } from '../../nodes/whatsapp/identity';

test.each(['US.13491208655302741918', 'BR.1502576394655843', 'US.ENT.11815799212886844830', `DE.${'a1'.repeat(64)}`])(
	'%p is a BSUID',
	(value) => {
		expect(isBsuid(value)).toBe(true);
		expect(parseBsuid(value)).toBe(value);
	},
);

test.each([
	['us.1349120865', /is not a business-scoped user ID/],
	['USA.1349120865', /is not a business-scoped user ID/],
	['US.', /is not a business-scoped user ID/],
	['US.1349-1208', /is not a business-scoped user ID/],
	[`US.${'1'.repeat(129)}`, /is too long for a business-scoped user ID/],
])('%p is refused naming the field, the value and the fix', (value, problem) => {
	expect(() => parseBsuid(value, 'Recipient')).toThrow(problem);
	expect(() => parseBsuid(value, 'Recipient')).toThrow(
		expect.objectContaining({ kind: 'validation', field: 'Recipient', fix: expect.stringContaining('US.13491208655302741918') }),
	);
});

test('parseContact tells a BSUID from a phone number, and a mistyped BSUID is named as one', () => {
	expect(parseContact('+49 151 23456789')).toEqual({ phone: '4915123456789' });
	expect(parseContact(' US.13491208655302741918 ')).toEqual({ userId: 'US.13491208655302741918' });
	expect(() => parseContact('us.1349')).toThrow(/business-scoped user ID/);
	expect(() => parseContact('+49 CALL')).toThrow(/is not a phone number/);
});

test('the identity key is the phone when known, else the BSUID; aliases are both', () => {
	const both = { phone: '4915123456789', userId: 'DE.1' };
	expect(identityKey(both)).toBe('4915123456789');
	expect(identityKey({ userId: 'DE.1' })).toBe('DE.1');
	expect(identityAliases(both)).toEqual(['4915123456789', 'DE.1']);
	expect(linkedIdentity({ userId: 'DE.1' }, { phone: '4915123456789', userId: 'DE.1' })).toEqual(both);
	expect(() => identityKey({})).toThrow(/phone number or a BSUID/);
});
