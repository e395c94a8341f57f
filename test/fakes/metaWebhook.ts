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
