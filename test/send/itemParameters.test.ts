import type { IExecuteFunctions, INodeParameters } from 'n8n-workflow';
import { ItemParameters } from '../../nodes/whatsapp/n8n/itemParameters';
import { cloudEnvelope, messageBodies, runSend, useBackends } from './fixtures';

/** n8n's side of the context: the saved parameters, and getNodeParameter counting its calls (values are per item). */
function contextWith(parameters: INodeParameters) {
	const calls: string[] = [];
	const context = {
		getNode: () => ({ parameters }),
		getNodeParameter: (name: string, itemIndex: number) => {
			calls.push(`${name}#${itemIndex}`);
			return `${name} of item ${itemIndex}`;
		},
	} as unknown as IExecuteFunctions;
	return { context, calls };
}

test('a parameter without an expression is read from n8n once; one with an expression (also nested) per item', () => {
	const { context, calls } = contextWith({
		text: '=Hi {{ $json.name }}',
		previewUrl: true,
		buttons: { button: [{ title: 'Yes' }] },
		rows: { row: [{ title: '={{ $json.slot }}' }] },
		templateParameters: { mappingMode: 'defineBelow', value: { name: '={{ $json.name }}' } },
	});
	const parameters = new ItemParameters(context);

	for (const itemIndex of [0, 1, 2]) {
		for (const name of ['text', 'previewUrl', 'buttons', 'rows', 'templateParameters.mappingMode', 'templateParameters.value', 'notSaved'])
			parameters.get(name, itemIndex);
	}

	expect(calls.filter((call) => call.startsWith('previewUrl'))).toEqual(['previewUrl#0']);
	expect(calls.filter((call) => call.startsWith('buttons'))).toEqual(['buttons#0']);
	expect(calls.filter((call) => call.startsWith('notSaved'))).toEqual(['notSaved#0']);
	expect(calls.filter((call) => call.startsWith('templateParameters.mappingMode'))).toEqual(['templateParameters.mappingMode#0']);
	expect(calls.filter((call) => call.startsWith('text'))).toEqual(['text#0', 'text#1', 'text#2']);
	expect(calls.filter((call) => call.startsWith('rows'))).toEqual(['rows#0', 'rows#1', 'rows#2']);
	expect(calls.filter((call) => call.startsWith('templateParameters.value'))).toEqual([
		'templateParameters.value#0',
		'templateParameters.value#1',
		'templateParameters.value#2',
	]);
	expect(parameters.get('previewUrl', 2)).toBe('previewUrl of item 0');
	expect(parameters.get('text', 2)).toBe('text of item 2');
});

const backends = useBackends();

test('in the engine, expressions still differ per item while the constant parameters apply to every item', async () => {
	const items = [{ json: { phone: '4915100000001', name: 'Ada' } }, { json: { phone: '4915100000002', name: 'Grace' } }];

	const run = await runSend(
		backends(),
		{ operation: 'sendText', recipient: '={{ $json.phone }}', text: '=Hi {{ $json.name }}', previewUrl: true },
		items,
	);

	expect(run.error).toBeUndefined();
	const bodies = messageBodies(backends().graph);
	expect(bodies).toHaveLength(2);
	expect(bodies).toEqual(
		expect.arrayContaining([
			cloudEnvelope('text', { body: 'Hi Ada', preview_url: true }, { to: '4915100000001' }),
			cloudEnvelope('text', { body: 'Hi Grace', preview_url: true }, { to: '4915100000002' }),
		]),
	);
});
