import { cloudEnvelope, messageBodies, runSend, TO, useBackends } from './fixtures';

const backends = useBackends();

const flow = { operation: 'sendFlow', recipient: `+${TO}`, body: 'Book your next visit in a few taps' };

describe('Send Flow: an interactive message with a button that opens a WhatsApp Flow', () => {
	it('sends the Flow by ID with its button, first screen, data and token: the exact body Meta expects', async () => {
		const run = await runSend(
			backends(),
			{
				...flow,
				header: 'Lovelace Books',
				flowId: '1197715005513101',
				flowCta: 'Book now',
				flowScreen: 'APPOINTMENT',
				flowData: '={{ $json.data }}',
				flowCorrelation: '={{ "visit-" + $json.id }}',
			},
			[{ json: { id: 7, data: { customer_name: 'Ada', slots: ['09:00'] } } }],
		);
		expect(run.error).toBeUndefined();
		expect(messageBodies(backends().graph)).toEqual([
			cloudEnvelope('interactive', {
				type: 'flow',
				header: { type: 'text', text: 'Lovelace Books' },
				body: { text: 'Book your next visit in a few taps' },
				action: {
					name: 'flow',
					parameters: {
						flow_message_version: '3',
						flow_id: '1197715005513101',
						flow_cta: 'Book now',
						flow_token: 'visit-7',
						flow_action: 'navigate',
						flow_action_payload: { screen: 'APPOINTMENT', data: { customer_name: 'Ada', slots: ['09:00'] } },
					},
				},
			}),
		]);
		expect(run.items[0].json).toMatchObject({ status: 'accepted', type: 'flow' });
	});

	it('sends the Flow by name, with data given as JSON text and no screen', async () => {
		const run = await runSend(backends(), {
			...flow,
			flowBy: 'name',
			flowName: 'appointment_booking',
			flowCta: 'Book',
			flowData: '{"a": 1}',
		});
		expect(run.error).toBeUndefined();
		expect(
			(messageBodies(backends().graph)[0] as { interactive: { action: { parameters: unknown } } }).interactive.action.parameters,
		).toEqual({
			flow_message_version: '3',
			flow_name: 'appointment_booking',
			flow_cta: 'Book',
			flow_action: 'navigate',
			flow_action_payload: { data: { a: 1 } },
		});
	});

	it.each([
		['a Flow ID that is not digits', { flowId: 'booking' }, 'Flow ID', 'Flow ID "booking" is not a Flow ID (digits only)'],
		['an empty button text', { flowId: '1', flowCta: ' ' }, 'Button Text', 'Button Text " " is empty'],
		[
			'a button text over 30 characters',
			{ flowId: '1', flowCta: 'Book your appointment with us now' },
			'Button Text',
			'Button Text "Book your appointment with us now" is longer than the 30 characters WhatsApp advises',
		],
		['screen data that is not an object', { flowId: '1', flowCta: 'Go', flowData: '[1, 2]' }, 'Screen Data', 'is not a non-empty object'],
		['screen data that is an empty object', { flowId: '1', flowCta: 'Go', flowData: '{}' }, 'Screen Data', 'is not a non-empty object'],
		['screen data that is not JSON', { flowId: '1', flowCta: 'Go', flowData: '{a: 1' }, 'Screen Data', 'is not valid JSON'],
	])('refuses %s before any request', async (_what, parameters, field, message) => {
		const run = await runSend(backends(), { ...flow, flowCta: 'Go', ...parameters }, [{ json: {} }], { continueOnFail: true });
		expect(backends().graph.requests).toEqual([]);
		expect(run.items[0].json).toMatchObject({ status: 'failed', error: { field } });
		expect(String((run.items[0].json.error as Record<string, unknown>).message)).toContain(message);
	});

	it('is refused on the Lite container (WhatsApp Web has no Flows), with no request', async () => {
		const run = await runSend(backends(), { ...flow, backend: 'lite', flowId: '1', flowCta: 'Go' }, [{ json: {} }], {
			continueOnFail: true,
		});
		expect(backends().lite.requests.filter((request) => request.method !== 'GET')).toEqual([]);
		expect(run.items[0].json).toMatchObject({ status: 'failed', error: { kind: 'capability' } });
	});
});
