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
