import { runSend, useBackends } from './fixtures';

const backends = useBackends();

test('a text message goes through the engine to the fake Graph API', async () => {
	const result = await runSend(backends(), { operation: 'sendText', recipient: '={{ $json.phone }}', text: '=Hello {{ $json.name }}' }, [
		{ json: { phone: '+49 151 2345-6789', name: 'Ada' } },
	]);

	expect(result.error).toBeUndefined();
	expect(backends().graph.accepted).toHaveLength(1);
	expect(backends().graph.accepted[0].body).toEqual({
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to: '4915123456789',
		type: 'text',
		text: { body: 'Hello Ada', preview_url: false },
	});
	expect(result.items[0].json).toMatchObject({
		messageId: 'wamid.TEST000001',
		waId: '4915123456789',
		backend: 'cloud',
		status: 'accepted',
	});
});
