import { processMemoryStore } from '../../nodes/whatsapp/store/memory';
import { ledgerKeyOf } from '../../nodes/whatsapp/store/reports';
import { CUSTOMER, PHONE_NUMBER_ID, metaBody, metaHeaders, metaStatus, redisCredentialFor, startCloudTrigger } from './fixtures';

/** The trigger and a sending node of this process share its memory store: a message the ledger marked sent is tracked. */
async function trackedMessage(messageId: string) {
	await processMemoryStore.recordOutcome(
		ledgerKeyOf('cloud', PHONE_NUMBER_ID, 'trigger-reports'),
		CUSTOMER,
		{ status: 'sent', at: new Date().toISOString(), messageId },
		3600,
	);
}

const stateOf = async (messageId: string) => (await processMemoryStore.reports.messages('cloud', [messageId]))[0]?.state;

test('statuses update campaign reports even when Trigger On leaves them out; turned off, they do not', async () => {
	const on = await startCloudTrigger({ events: ['message'] });
	const off = await startCloudTrigger({ events: ['message', 'status'], triggerOptions: { updateCampaignReports: false } });
	try {
		await trackedMessage('wamid.REPORTED');
		await trackedMessage('wamid.NOT-REPORTED');
		const deliver = async (trigger: typeof on, messageId: string) => {
			const raw = JSON.stringify(metaBody({ statuses: [metaStatus('delivered', messageId)] }));
			return await trigger.post(raw, metaHeaders(raw));
		};
		const reported = await deliver(on, 'wamid.REPORTED');
		expect(reported.status).toBe(200);
		expect(reported.items).toBeUndefined();
		expect(await stateOf('wamid.REPORTED')).toBe('delivered');

		const started = await deliver(off, 'wamid.NOT-REPORTED');
		expect(started.items?.map((item) => item.json.status)).toEqual(['delivered']);
		expect(await stateOf('wamid.NOT-REPORTED')).toBe('sent');
	} finally {
		await on.close();
		await off.close();
	}
});

test('a store that cannot record the statuses answers 503, so the backend delivers them again', async () => {
	const trigger = await startCloudTrigger({ events: ['message'] }, redisCredentialFor('redis://127.0.0.1:1'));
	try {
		const raw = JSON.stringify(metaBody({ statuses: [metaStatus('delivered')] }));
		const call = await trigger.post(raw, metaHeaders(raw));
		expect([call.status, call.body]).toEqual([503, 'Contact links or campaign reports are unavailable; deliver again later']);
	} finally {
		await trigger.close();
	}
});
