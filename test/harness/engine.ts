import './setupEnv';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IConnections,
} from 'n8n-workflow';
import { ICredentialsHelper, Workflow, createDeferredPromise } from 'n8n-workflow';
import { WhatsAppCloudApi } from '../../credentials/WhatsAppCloudApi.credentials';
import { WhatsAppLiteApi } from '../../credentials/WhatsAppLiteApi.credentials';
import { WhatsAppSend } from '../../nodes/WhatsAppSend/WhatsAppSend.node';
import { TestItems } from './testInputNode';

export const PACKAGE = 'n8n-nodes-whatsapp-automator';

/** Every node type a test workflow may use, by the name n8n gives it once the package is installed. */
const nodeTypes: Record<string, INodeType> = {
	[`${PACKAGE}.whatsAppSend`]: new WhatsAppSend(),
	'test.items': new TestItems(),
};

const credentialTypes: Record<string, ICredentialType> = {
	whatsAppCloudApi: new WhatsAppCloudApi(),
	whatsAppLiteApi: new WhatsAppLiteApi(),
};

/** Lets other test files add node types (Template Send, Trigger) without editing this list. */
export function registerNodeType(name: string, nodeType: INodeType) {
	nodeTypes[name] = nodeType;
}

export function registerCredentialType(credentialType: ICredentialType) {
	credentialTypes[credentialType.name] = credentialType;
}

export const testNodeTypes: INodeTypes = {
	getByName: (type) => nodeTypes[type],
	getByNameAndVersion: (type) => {
		const nodeType = nodeTypes[type];
		if (!nodeType) throw new Error(`Unknown node type ${type} in test workflow`);
		return nodeType;
	},
	getKnownTypes: () => ({}),
};

/**
 * Credentials as n8n would decrypt them, and applied to requests the way n8n's CredentialsHelper does: the package's
 * credential types have no `authenticate` block (the nodes apply their secret), n8n's own have (bench/segment-send
 * runs n8n's WhatsApp node with its `whatsAppApi` type).
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly credentials: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	) {
		const authenticate = credentialTypes[typeName]?.authenticate;
		if (!authenticate || typeof authenticate === 'function' || authenticate.type !== 'generic') return requestOptions;
		const resolve = (value: unknown) =>
			typeof value === 'string' && value.startsWith('=')
				? workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '')
				: value;
		for (const [target, entries] of Object.entries(authenticate.properties)) {
			const bag = ((requestOptions as unknown as Record<string, Record<string, unknown>>)[target] ??= {});
			for (const [key, value] of Object.entries(entries as Record<string, unknown>)) bag[String(resolve(key))] = resolve(value);
		}
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by the engine in these tests');
	}

	/** How many times each credential type was read (decrypted), as n8n reads it from its database. */
	readonly reads: Record<string, number> = {};

	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, _nodeCredentials: unknown, type: string) {
		this.reads[type] = (this.reads[type] ?? 0) + 1;
		const found = this.credentials[type];
		if (!found) throw new Error(`No test credentials of type ${type}`);
		return structuredClone(found);
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(type: string) {
		return credentialTypes[type]?.properties ?? [];
	}
}

export interface TestWorkflow {
	nodes: INode[];
	connections: IConnections;
	name?: string;
	id?: string;
}

export interface WorkflowResult {
	run: IRun;
	/** The items the named node returned on its first output (empty if it did not run). */
	output(nodeName: string): INodeExecutionData[];
	/** The error the named node (or the workflow) stopped with, if any. */
	error: IRun['data']['resultData']['error'];
}

/**
 * The engine's pieces for one execution: the workflow, its additional data and a promise of its end. `executionId`
 * continues a stored execution under its ID; `baseUrl` is where n8n's URLs (webhook-waiting) point.
 */
export function prepareExecution(
	workflowJson: TestWorkflow,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	mode: 'manual' | 'retry',
	{ executionId = `exec-${Math.random().toString(36).slice(2)}`, baseUrl = 'http://localhost:5678' } = {},
) {
	const workflowData: IWorkflowBase = {
		id: workflowJson.id ?? 'test-workflow',
		name: workflowJson.name ?? 'Test workflow',
		active: false,
		isArchived: false,
		nodes: workflowJson.nodes,
		connections: workflowJson.connections,
		settings: { executionOrder: 'v1' },
		createdAt: new Date(),
		updatedAt: new Date(),
	} as IWorkflowBase;
	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes: workflowData.nodes,
		connections: workflowData.connections,
		active: false,
		nodeTypes: testNodeTypes,
		staticData: {},
		settings: workflowData.settings,
	});

	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const finished = createDeferredPromise<IRun>();
	hooks.addHandler('workflowExecuteAfter', (run) => finished.resolve(run));

	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(credentials),
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${baseUrl}/rest`,
		instanceBaseUrl: baseUrl,
		formWaitingBaseUrl: `${baseUrl}/form-waiting`,
		webhookBaseUrl: `${baseUrl}/webhook`,
		webhookWaitingBaseUrl: `${baseUrl}/webhook-waiting`,
		webhookTestBaseUrl: `${baseUrl}/webhook-test`,
		variables: {},
		logAiEvent: () => {},
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not used in these tests');
		},
		getRunExecutionData: async () => undefined,
		startRunnerTask: async () => {
			throw new Error('task runners are not used in these tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
	return { workflow, additionalData, finished, executionId };
}

async function finish(
	execution: ReturnType<WorkflowExecute['run']>,
	finished: Promise<IRun>,
	signal?: AbortSignal,
): Promise<WorkflowResult> {
	signal?.addEventListener('abort', () => execution.cancel(), { once: true });
	const run = await finished;
	await execution.catch(() => undefined);
	return {
		run,
		error: run.data.resultData.error,
		output(nodeName: string) {
			return run.data.resultData.runData[nodeName]?.[0]?.data?.main?.[0] ?? [];
		},
	};
}

/**
 * Runs a workflow through n8n-core's real WorkflowExecute, with this package's node classes and the given
 * credentials, from its first node to the end.
 */
export async function runWorkflow(
	workflowJson: TestWorkflow,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	options: { signal?: AbortSignal } = {},
): Promise<WorkflowResult> {
	const { workflow, additionalData, finished } = prepareExecution(workflowJson, credentials, 'manual');
	const startNode = workflowJson.nodes.find(
		(node) =>
			!Object.values(workflowJson.connections).some((outputs) =>
				outputs.main?.some((targets) => targets?.some((target) => target.node === node.name)),
			),
	);
	return await finish(new WorkflowExecute(additionalData, 'manual').run(workflow, startNode), finished.promise, options.signal);
}

/**
 * n8n's Retry of a failed execution, as its ExecutionService does it: a new execution (new ID, mode "retry") that
 * continues the stored data of the failed one (its JSON, as the database keeps it) without the error and without
 * the failed node's last run, from the node that failed.
 */
export async function retryExecution(
	workflowJson: TestWorkflow,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	failed: IRun,
): Promise<WorkflowResult> {
	const data = JSON.parse(JSON.stringify(failed.data)) as IRun['data'];
	const { lastNodeExecuted } = data.resultData;
	if (lastNodeExecuted) {
		delete data.resultData.error;
		const runs = data.resultData.runData[lastNodeExecuted];
		if (runs.length > 0 && runs[runs.length - 1].error !== undefined) runs.pop();
	}
	const { workflow, additionalData, finished } = prepareExecution(workflowJson, credentials, 'retry');
	return await finish(new WorkflowExecute(additionalData, 'retry', data).processRunExecutionData(workflow), finished.promise);
}

/** A two-node workflow: fixed input items into one node under test. */
export function singleNodeWorkflow(
	node: Omit<INode, 'id' | 'position' | 'typeVersion'> & { typeVersion?: number },
	items: INodeExecutionData[] | Array<{ json: Record<string, unknown> }>,
): TestWorkflow {
	return {
		nodes: [
			{ id: 'input', name: 'Input', type: 'test.items', typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(items) } },
			{ id: 'node', typeVersion: 1, position: [200, 0], ...node },
		],
		connections: { Input: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
	};
}
