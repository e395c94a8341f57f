'use strict';
/**
 * The carousel and Flow case, against a running `n8n start` with workflows/carousel-flow.json active (one workflow:
 * Webhook → WhatsApp Template Send of the fake account's carousel `summer_picks`, and a WhatsApp Trigger): the
 * carousel goes out with every card (the exact body the fake Graph API received is checked), then the customer
 * answers the Flow it opened: a signed Meta `nfm_reply` reaches the trigger, whose item in n8n's database carries the
 * answers as `flow: {token, name, answers}`.
 */
const assert = require('node:assert/strict');
const { requireTypeScriptFake } = require('./loadTypeScript');
const { readExecutions, until } = require('./triggerCase');
const { waitForWebhook } = require('./webhookReady');

const { metaFlowReplyFrom, metaWebhookBody, postSignedMetaWebhook } = requireTypeScriptFake('metaWebhook.ts');

const CUSTOMER = { phone: '4915100000888', userId: 'DE.4915100000888', name: 'Ada' };
const CAROUSEL_PATH = 'e2e-carousel';
const ANSWERS = { date: '2026-12-24', slot: '09:00', party_size: 2 };

/** What Meta must receive for the workflow's carousel (Template Send's parameters in carousel-flow.json). */
const card = (index, image, name, price, payload, url) => ({
	card_index: index,
	components: [
		{ type: 'header', parameters: [{ type: 'image', image: { link: image } }] },
		{
			type: 'body',
			parameters: [
				{ type: 'text', text: name },
				{ type: 'text', text: price },
			],
		},
		...(payload ? [{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload }] }] : []),
		{ type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: url }] },
	],
});
const CAROUSEL_BODY = {
	messaging_product: 'whatsapp',
	recipient_type: 'individual',
	to: CUSTOMER.phone,
	type: 'template',
	template: {
		name: 'summer_picks',
		language: { code: 'en_US' },
		components: [
			{ type: 'body', parameters: [{ type: 'text', text: CUSTOMER.name }] },
			{
				type: 'carousel',
				cards: [
					card(0, 'https://cdn.example.com/hat.jpg', 'Sun hat', '$15', 'more-hat', 'hat-1'),
					card(1, 'https://cdn.example.com/bag.jpg', 'Beach bag', '$25', undefined, 'bag-2'),
				],
			},
		],
	},
};

async function carouselFlowCase({ baseUrl, fake, workflow, credential, databaseFile, host, logsOnFailure, CaseFailure }) {
	const trigger = workflow.nodes.find((node) => node.type.endsWith('.whatsAppTrigger'));
	const triggerUrl = `${baseUrl}/webhook/${trigger.webhookId}/webhook`;
	const acceptedBefore = fake.accepted.length;
	try {
		await waitForWebhook(`${baseUrl}/webhook/${CAROUSEL_PATH}`);
		const send = await fetch(`${baseUrl}/webhook/${CAROUSEL_PATH}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ name: CUSTOMER.name, phone: `+${CUSTOMER.phone}` }),
		});
		const sendBody = await send.text();
		assert.equal(send.status, 200, `the carousel webhook answered ${send.status}: ${sendBody}`);
		const item = JSON.parse(sendBody);
		assert.equal(item.status, 'accepted', `Template Send's item: ${sendBody}`);
		const sent = fake.accepted.slice(acceptedBefore);
		assert.equal(sent.length, 1, 'the fake Graph API accepted one message');
		assert.deepEqual(sent[0].body, CAROUSEL_BODY, 'the carousel request body');
		assert.equal(item.messageId, sent[0].id, "Template Send's item names the message Meta accepted");

		// The customer sends a filled-in Flow, quoting the carousel: Meta's nfm_reply, signed with the app secret.
		await waitForWebhook(triggerUrl);
		const reply = metaFlowReplyFrom(CUSTOMER, { flow_token: 'e2e-visit', ...ANSWERS }, 'wamid.E2EFLOW0000000000001', sent[0].id);
		const status = await postSignedMetaWebhook(triggerUrl, metaWebhookBody(reply, credential.phoneNumberId), credential.appSecret);
		assert.equal(status, 200, `the signed nfm_reply answered ${status}`);

		const triggered = await until(
			'a finished trigger execution of the workflow',
			async () => {
				const rows = await readExecutions(host, databaseFile, workflow.id);
				return rows.find((row) => row.status === 'success' && row.data?.resultData?.runData?.['WhatsApp Trigger']);
			},
			60_000,
		);
		const event = triggered.data.resultData.runData['WhatsApp Trigger'][0].data.main[0][0].json;
		assert.deepEqual(event.flow, { token: 'e2e-visit', name: 'flow', answers: ANSWERS }, "the trigger item's flow");
		assert.equal(event.replyTo, sent[0].id, 'the Flow reply answers the carousel');
		assert.equal(event.from, CUSTOMER.phone, "the trigger item's from");
		return `carousel ${sent[0].id} with 2 cards sent; Flow answers ${JSON.stringify(event.flow.answers)} in execution ${triggered.id}`;
	} catch (error) {
		if (error instanceof assert.AssertionError) throw new CaseFailure(error.message, logsOnFailure);
		throw error;
	}
}

module.exports = { carouselFlowCase, CAROUSEL_FLOW_WORKFLOW: { file: 'carousel-flow.json', id: 'e2eCarouselFlow1' } };
