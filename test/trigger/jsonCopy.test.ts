import { jsonCopy } from '../../nodes/whatsapp/inbound/normalise';

// Event items were made with a round trip through JSON text; jsonCopy must give exactly what that gave.
const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
const holey: unknown[] = [1];
holey[2] = 'after a hole';

test.each([
	['an event with undefined fields, inside too', { event: 'message', text: undefined, raw: { media: { id: '1', data: undefined } } }],
	['non-finite numbers', { location: { latitude: Number('x'), longitude: Infinity, zoom: 3 } }],
	['lists with holes and undefined', { list: [1, undefined, 'a', null, () => 1, [undefined]], holey }],
	['dates and other toJSON', { at: new Date(Date.UTC(2024, 5, 3)), nested: { toJSON: () => ({ made: 'by toJSON' }) } }],
	['functions and symbols in objects', { call: () => 1, tag: Symbol('x'), kept: false, zero: 0, empty: '' }],
])('%s: the same as a JSON round trip', (_name, value) => {
	expect(jsonCopy(value)).toStrictEqual(roundTrip(value));
});

test('a copy: changing it leaves the original as it was', () => {
	const original = { raw: { messages: [{ id: 'wamid.1' }] } };
	const copy = jsonCopy(original) as typeof original;
	copy.raw.messages[0].id = 'changed';
	expect(original.raw.messages[0].id).toBe('wamid.1');
});
