import { LoadOptionsContext } from 'n8n-core';
import type { ILoadOptionsFunctions, INode, INodeParameters, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { WhatsAppTemplateSend } from '../../nodes/WhatsAppTemplateSend/WhatsAppTemplateSend.node';
import { type FakeGraphApi, type FakeGraphOptions, startFakeGraphApi } from '../fakes/graphApi';
import { TEMPLATES } from '../fakes/graphTemplates';
import { type FakeLiteContainer, startFakeLiteContainer } from '../fakes/liteContainer';
import { PACKAGE, registerNodeType, runWorkflow, singleNodeWorkflow, TestCredentialsHelper, testNodeTypes } from '../harness/engine';
import { ACCESS_TOKEN, credentialsFor, LITE_API_KEY, PHONE_NUMBER_ID } from '../send/fixtures';

export const NODE_TYPE = `${PACKAGE}.whatsAppTemplateSend`;
export const BUSINESS_ACCOUNT_ID = '102290129340398';
registerNodeType(NODE_TYPE, new WhatsAppTemplateSend());

export interface Backends {
	graph: FakeGraphApi;
	lite: FakeLiteContainer;
	close(): Promise<unknown>;
}

export async function startBackends(graphOptions: Partial<FakeGraphOptions> = {}): Promise<Backends> {
	const graph = await startFakeGraphApi({
		accessToken: ACCESS_TOKEN,
		phoneNumberId: PHONE_NUMBER_ID,
		businessAccountId: BUSINESS_ACCOUNT_ID,
		templates: TEMPLATES,
		...graphOptions,
	});
	const lite = await startFakeLiteContainer(LITE_API_KEY);
	return { graph, lite, close: async () => Promise.all([graph.close(), lite.close()]) };
}

/** Runs `fn` with fresh fakes and always stops them, so jest exits. */
export async function withBackends<T>(fn: (backends: Backends) => Promise<T>, graphOptions?: Partial<FakeGraphOptions>): Promise<T> {
	const backends = await startBackends(graphOptions);
	try {
		return await fn(backends);
	} finally {
		await backends.close();
	}
}

const NODE_CREDENTIALS = { whatsAppCloudApi: { id: '1', name: 'Cloud' }, whatsAppLiteApi: { id: '2', name: 'Lite' } };

/** The resource locator and mapper values the editor stores for a template picked from the list. */
export function metaTemplate(value: string, placeholders: Record<string, string> = {}): INodeParameters {
	return {
		templateSource: 'meta',
		template: { __rl: true, mode: 'list', value },
		templateParameters: { mappingMode: 'defineBelow', value: placeholders, matchingColumns: [], schema: [] },
	};
}

type Item = { json: Record<string, unknown>; binary?: Record<string, unknown> };

/** Runs WhatsApp Template Send through n8n's engine; fast retries, no pacing delays. */
export async function runTemplateSend(
	backends: Backends,
	parameters: INodeParameters,
	items: Item[] = [{ json: {} }],
	extra: { continueOnFail?: boolean } = {},
) {
	const workflow = singleNodeWorkflow(
		{
			name: 'Template Send',
			type: NODE_TYPE,
			parameters: {
				backend: 'cloud',
				operation: 'send',
				recipient: '+49 151 23456789',
				...parameters,
				options: { initialBackoffMs: 5, ...((parameters.options as object) ?? {}) },
				// No minutes-long Lite pacing in tests.
				delivery: { minDelayMinutes: 0, maxDelayMinutes: 0, ...((parameters.delivery as object) ?? {}) },
			},
			credentials: NODE_CREDENTIALS,
			...(extra.continueOnFail && { onError: 'continueRegularOutput' as const }),
		},
		items as never,
	);
	const result = await runWorkflow(workflow, credentialsFor(backends.graph, backends.lite));
	return { ...result, items: result.output('Template Send') };
}

/** The requests that would have sent something (messages or media), as opposed to reading templates. */
export const writes = (backends: Backends) =>
	[...backends.graph.requests, ...backends.lite.requests].filter((request) => request.method !== 'GET');

/** Runs one item that must fail before any send, and returns the error item's error (continueOnFail). */
export async function refused(backends: Backends, parameters: INodeParameters, item: Item = { json: {} }) {
	const result = await runTemplateSend(backends, parameters, [item], { continueOnFail: true });
	expect(writes(backends)).toEqual([]);
	expect(result.items[0].json.status).toBe('failed');
	return result.items[0].json.error as Record<string, string>;
}

/** The `template` objects Meta accepted, in order. */
export const sentTemplates = (backends: Backends) => backends.graph.accepted.map((sent) => (sent.body as Record<string, any>).template);

export const templateListings = (backends: Backends) =>
	backends.graph.requests.filter((request) => request.path.endsWith('/message_templates'));

/**
 * n8n-core's own LoadOptionsContext for the node, as the editor uses it to fill a list or a resource mapper:
 * the node's current parameters, the credentials applied by the test credentials helper.
 */
export function loadOptionsContext(
	backends: Backends,
	parameters: INodeParameters,
	credentialOverrides: Record<string, unknown> = {},
): ILoadOptionsFunctions {
	const node: INode = {
		id: 'node',
		name: 'Template Send',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { backend: 'cloud', ...parameters },
		credentials: NODE_CREDENTIALS,
	};
	const workflow = new Workflow({ id: 'wf', nodes: [node], connections: {}, active: false, nodeTypes: testNodeTypes });
	const credentials = credentialsFor(backends.graph, backends.lite);
	Object.assign(credentials.whatsAppCloudApi, credentialOverrides);
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(credentials),
		currentNodeParameters: node.parameters,
	} as unknown as IWorkflowExecuteAdditionalData;
	return new LoadOptionsContext(workflow, node, additionalData, 'parameters.template');
}
