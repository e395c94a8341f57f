import { createHmac } from 'node:crypto';

/**
 * A Cloud API webhook body as Meta sends it: one entry, one `messages` change with the given value parts
 * (contacts, messages, statuses, errors). Shared by the trigger tests and the e2e run.
 */
export function metaWebhookBody(value: Record<string, unknown>, phoneNumberId: string) {
	return {
		object: 'whatsapp_business_account',
		entry: [
			{
				id: '102290129340398',
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '15550100000', phone_number_id: phoneNumberId },
							...value,
						},
					},
				],
			},
		],
	};
}

/** POSTs a webhook body to a callback signed as Meta signs it (X-Hub-Signature-256 with the app secret); resolves with the answer's status. */
export async function postSignedMetaWebhook(url: string, body: unknown, appSecret: string): Promise<number> {
	const raw = JSON.stringify(body);
	const signature = `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
		body: raw,
		signal: AbortSignal.timeout(10_000),
	});
	return response.status;
}

/** Meta's error on a failed status (docs/cloud-webhooks.md), for a code and its title. */
export const failedStatusError = (code: number, title: string) => ({ code, title, message: title, error_data: { details: title } });

/** A person as Meta's webhooks name them since the BSUID rollout (docs/cloud-api.md, "Contact identities"). */
export interface MetaPerson {
	/** Absent for a user with a username whose phone Meta withholds. */
	phone?: string;
	userId: string;
	parentUserId?: string;
	username?: string;
	name?: string;
}

/** The `contacts[]` entry Meta puts beside a person's messages and statuses. */
export function metaContact(person: MetaPerson) {
	return {
		profile: { ...(person.name && { name: person.name }), ...(person.username && { username: person.username }) },
		...(person.phone && { wa_id: person.phone }),
		user_id: person.userId,
		...(person.parentUserId && { parent_user_id: person.parentUserId }),
	};
}

/** The value of a `messages` change with one text message from a person: no `from` when the phone is withheld. */
export function metaTextFrom(person: MetaPerson, text: string, id: string, timestamp = String(Math.floor(Date.now() / 1000))) {
	return {
		contacts: [metaContact(person)],
		messages: [{ ...(person.phone && { from: person.phone }), id, timestamp, type: 'text', text: { body: text } }],
	};
}

/**
 * A Flow's answers as a `messages` value: `interactive.nfm_reply` whose `response_json` (a JSON text) holds the flow
 * token and one field per answer, in reply (`context.id`) to the message that opened the Flow.
 */
export function metaFlowReplyFrom(person: MetaPerson, response: Record<string, unknown>, id: string, repliesTo: string) {
	const timestamp = String(Math.floor(Date.now() / 1000));
	const interactive = { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: JSON.stringify(response) } };
	return {
		contacts: [metaContact(person)],
		messages: [
			{ ...(person.phone && { from: person.phone }), id, timestamp, type: 'interactive', interactive, context: { id: repliesTo } },
		],
	};
}

/** A `user_id_update` webhook body: the person changed their phone number to `phone`, which gave them a new BSUID. */
export function metaUserIdUpdateBody(phoneNumberId: string, update: { phone?: string; previousUserId: string; userId: string }) {
	return {
		object: 'whatsapp_business_account',
		entry: [
			{
				id: '102290129340398',
				changes: [
					{
						field: 'user_id_update',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '15550100000', phone_number_id: phoneNumberId },
							...(update.phone && { contacts: [{ profile: {}, wa_id: update.phone }] }),
							user_id_update: [
								{
									...(update.phone && { wa_id: update.phone }),
									detail: 'User id has been updated.',
									user_id: { previous: update.previousUserId, current: update.userId },
									timestamp: String(Math.floor(Date.now() / 1000)),
								},
							],
						},
					},
				],
			},
		],
	};
}

/** Meta's `message_template_status_update` webhook for the business account `wabaId` (docs/cloud-webhooks.md). */
export function metaTemplateStatusBody(
	wabaId: string,
	template: { id: string; name: string; language: string },
	event: string,
	reason?: { title: string; description: string },
) {
	return {
		object: 'whatsapp_business_account',
		entry: [
			{
				id: wabaId,
				time: Math.floor(Date.now() / 1000),
				changes: [
					{
						field: 'message_template_status_update',
						value: {
							event,
							message_template_id: Number(template.id),
							message_template_name: template.name,
							message_template_language: template.language,
							reason: null,
							...(reason && { other_info: reason }),
						},
					},
				],
			},
		],
	};
}
