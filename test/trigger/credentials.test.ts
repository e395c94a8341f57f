import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { CREDENTIAL_REUSE_MS } from '../../nodes/whatsapp/n8n/recentCredentials';
import type { TriggerUnderTest } from '../harness/webhook';
import { APP_SECRET, cloudCredentials, metaBody, metaHeaders, metaMessage, startCloudTrigger, VERIFY_TOKEN } from './fixtures';

// The trigger reuses a credential read for a few seconds (n8n reads it from its database, decrypts it and, in 2.x,
// builds an expression isolate for every read in a webhook request): a burst of deliveries reads it about once,
// while a changed secret or verify token takes effect at once.

const text = (body: string) => metaMessage('text', { text: { body } });

async function deliver(trigger: TriggerUnderTest, body: object, secret = APP_SECRET) {
	const raw = JSON.stringify(body);
	return await trigger.post(raw, metaHeaders(raw, secret));
}

describe('WhatsApp Trigger: credential reads per webhook request', () => {
	let trigger: TriggerUnderTest;
	let credential: ICredentialDataDecryptedObject;

	beforeEach(async () => {
		credential = cloudCredentials();
		// The harness reads the credential from this object on each read, as n8n does from its database.
		trigger = await startCloudTrigger({}, { whatsAppCloudApi: credential });
	});
	afterEach(async () => await trigger.close());

	it('reads the credential about once for a burst of signed deliveries, not once per delivery', async () => {
		const since = Date.now();
		const answers = [];
		for (let index = 0; index < 20; index++)
			answers.push((await deliver(trigger, metaBody({ messages: [text(`burst ${index}`)] }))).status);
		const elapsed = Date.now() - since;
		expect(answers).toEqual(Array(20).fill(200));
		expect(trigger.started).toHaveLength(20);
		// One read per reuse window the burst spanned (a slow machine may span more than one).
		expect(trigger.credentialReads.whatsAppCloudApi).toBeLessThanOrEqual(1 + Math.floor(elapsed / CREDENTIAL_REUSE_MS));
	});

	it('accepts a delivery signed with a new app secret at once, and refuses the old secret from then on', async () => {
		expect((await deliver(trigger, metaBody({ messages: [text('before')] }))).status).toBe(200);
		credential.appSecret = 'a-rotated-app-secret';
		const rotated = await deliver(trigger, metaBody({ messages: [text('new secret')] }), 'a-rotated-app-secret');
		expect(rotated.status).toBe(200);
		const old = await deliver(trigger, metaBody({ messages: [text('old secret')] }));
		expect(old.status).toBe(401);
		expect(trigger.started.flat().map((item) => item.json.text)).toEqual(['before', 'new secret']);
	});

	it("answers Meta's handshake with the verify token as stored now", async () => {
		credential.verifyToken = 'a-new-verify-token';
		const query = { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': 'a-new-verify-token' };
		expect(await trigger.get(query)).toMatchObject({ status: 200, body: '1158201444' });
		expect((await trigger.get({ ...query, 'hub.verify_token': VERIFY_TOKEN })).status).toBe(403);
	});
});
