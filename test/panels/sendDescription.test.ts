/**
 * WhatsApp Send's description exactly as n8n receives it: every property, default, displayOptions and option in
 * order. Saved workflows and the editor depend on it, so a change must be deliberate: regenerate the fixture with
 * `WRITE_SEND_DESCRIPTION=1 npx jest test/panels/sendDescription`, format it and review its diff.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { WhatsAppSend } from '../../nodes/WhatsAppSend/WhatsAppSend.node';

const fixture = join(__dirname, 'sendDescription.json');

it("WhatsApp Send's description is the one pinned in sendDescription.json, order included", () => {
	const description = new WhatsAppSend().description;
	if (process.env.WRITE_SEND_DESCRIPTION) writeFileSync(fixture, JSON.stringify(description, null, '\t'));
	// Compared as JSON text, so a key or option in another order fails too (the fixture's layout does not matter).
	expect(JSON.stringify(description)).toBe(JSON.stringify(JSON.parse(readFileSync(fixture, 'utf8'))));
});
