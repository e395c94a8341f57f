import './setupEnv';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ExecutionLifecycleHooks, HookContext, WebhookContext, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IN8nHttpFullResponse,
	IWebhookData,
	IWorkflowBase,
	IWebhookDescription,
	IWorkflowExecuteAdditionalData,
	WebhookType,
} from 'n8n-workflow';
import { createDeferredPromise, createRunExecutionData, Workflow } from 'n8n-workflow';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PACKAGE, registerNodeType, TestCredentialsHelper, testNodeTypes } from './engine';
import { errorMessage } from '../../contract/log';

/** What one request to the trigger did: the HTTP answer the sender got, and the items a workflow started with. */
export interface WebhookCall {
	status: number;
	body: string;
	/** The first output's items when the webhook started an execution; undefined when it started none. */
	items?: INodeExecutionData[];
}

export interface TriggerUnderTest {
	/** The node's production webhook URL, served by a real loopback HTTP server. */
	url: string;
	node: INode;
	staticData: IDataObject;
	/** The items of every execution the trigger started, whoever sent the request (e.g. a real gateway). */
	started: INodeExecutionData[][];
	post(body: string | Buffer, headers?: Record<string, string>): Promise<WebhookCall>;
	get(query: Record<string, string>): Promise<WebhookCall>;
	/** Requests whose headers arrived, and each finished request in order, with what the node's webhook() threw. */
	received(): number;
	finished: Array<{ thrown?: string }>;
	/** The next `count` hand-overs fail the way n8n fails when it cannot store an execution (500, nothing runs). */
	failExecutionStores(count: number): void;
	/** How many times the node read each credential type (n8n reads it from its database each time). */
	credentialReads: Record<string, number>;
	/** webhookMethods.default.checkExists, and create when it said false: what n8n does on activation. */
	activate(): Promise<{ existed: boolean }>;
	deactivate(): Promise<boolean>;
	close(): Promise<void>;
}

type ExpressLike = IncomingMessage & { rawBody: Buffer; body: unknown; query: Record<string, string>; params: Record<string, string> };

type ExpressResponse = ServerResponse & {
	status(code: number): ExpressResponse;
	json(body: unknown): ExpressResponse;
	send(body: string): ExpressResponse;
};

/** The parts of express's Response that nodes and n8n's own response code use, on a plain ServerResponse. */
export function expressResponse(res: ServerResponse): ExpressResponse {
	const express = res as ExpressResponse;
	express.status = (code) => {
		res.statusCode = code;
		return express;
	};
	express.json = (body) => {
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify(body));
		return express;
	};
	express.send = (body) => {
		res.end(body);
		return express;
	};
	return express;
}

/** n8n's raw-body reader and JSON parser as its webhook server applies them before the node runs. */
export async function expressRequest(req: IncomingMessage): Promise<ExpressLike> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const rawBody = Buffer.concat(chunks);
	let body: unknown = {};
	try {
		body = rawBody.length ? JSON.parse(rawBody.toString('utf8')) : {};
	} catch {
		body = {};
	}
	const url = new URL(req.url ?? '/', 'http://localhost');
	return Object.assign(req, { rawBody, body, query: Object.fromEntries(url.searchParams), params: {} });
}

/**
 * A request as n8n hands it to this package's trigger: n8n parses no body for a node with the `options` switch
 * (nodes/WhatsAppTrigger/description.ts), so the node reads the raw bytes itself through n8n's `readRawBody`.
 */
function unreadRequest(req: IncomingMessage): ExpressLike {
	const url = new URL(req.url ?? '/', 'http://localhost');
	const request = Object.assign(req, { body: {}, query: Object.fromEntries(url.searchParams), params: {} }) as ExpressLike & {
		readRawBody(): Promise<void>;
	};
	request.readRawBody = async () => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		request.rawBody = Buffer.concat(chunks);
	};
	return request;
}

let nodeCounter = 0;

/**
 * Serves a trigger node the way n8n's webhook server does: each HTTP request becomes n8n-core's WebhookContext
 * around an express-like request/response, the node's webhook() runs, and n8n's answer rules apply (the node's
 * own response when it says noWebhookResponse; for events, 500 when the execution cannot be stored, else the
 * execution runs from the trigger and, in 'responseNode' mode, the answer is what a node sends with sendResponse).
 * Registration runs through n8n-core's HookContext.
 */
export async function startTrigger(options: {
	nodeType: INodeType;
	parameters: INodeParameters;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	typeName?: string;
	workflowId?: string;
}): Promise<TriggerUnderTest> {
	const typeName = options.typeName ?? `${PACKAGE}.${options.nodeType.description.name}`;
	registerNodeType(typeName, options.nodeType);
	const node: INode = {
		id: `trigger-${++nodeCounter}`,
		name: 'WhatsApp Trigger',
		type: typeName,
		typeVersion: 1,
		position: [0, 0],
		webhookId: `hook-${nodeCounter}`,
		parameters: options.parameters,
		// IDs unique to this trigger, as in n8n: the trigger keeps credentials per ID for a few seconds (recentCredentials).
		credentials: Object.fromEntries(Object.keys(options.credentials).map((type) => [type, { id: `${type}-${nodeCounter}`, name: type }])),
	};
	const staticData: IDataObject = {};
	const workflow = new Workflow({
		id: options.workflowId ?? 'trigger-workflow',
		name: 'Trigger workflow',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: testNodeTypes,
		staticData,
		settings: { executionOrder: 'v1' },
	});
	const credentialsHelper = new TestCredentialsHelper(options.credentials);
	let baseUrl = '';
	const additionalData = (extra: object = {}) =>
		({
			credentialsHelper,
			executionId: `exec-${Math.random().toString(36).slice(2)}`,
			webhookBaseUrl: `${baseUrl}/webhook`,
			webhookTestBaseUrl: `${baseUrl}/webhook-test`,
			restApiUrl: `${baseUrl}/rest`,
			instanceBaseUrl: baseUrl,
			variables: {},
			...extra,
		}) as unknown as IWorkflowExecuteAdditionalData;
	const webhookData = (name: WebhookType, data: IWorkflowExecuteAdditionalData): IWebhookData => {
		const webhookDescription = options.nodeType.description.webhooks!.find(
			(description) => description.name === name,
		) as IWebhookDescription;
		return {
			httpMethod: webhookDescription.httpMethod as IWebhookData['httpMethod'],
			node: node.name,
			path: webhookDescription.path,
			webhookDescription,
			workflowId: workflow.id,
			workflowExecuteAdditionalData: data,
		};
	};

	/**
	 * n8n's run of the stored execution, from the trigger with its items: `answer` resolves with what a node sent
	 * as the webhook's response (responseMode 'responseNode'), or undefined when the run ended without one;
	 * `output` with the trigger node's output items (what the workflow starts with).
	 */
	const runFromTrigger = (items: INodeExecutionData[][]) => {
		const answer = createDeferredPromise<IN8nHttpFullResponse | undefined>();
		const output = createDeferredPromise<INodeExecutionData[] | undefined>();
		const hooks = new ExecutionLifecycleHooks('webhook', `exec-${Math.random().toString(36).slice(2)}`, {
			id: workflow.id,
			name: workflow.name,
			nodes: [node],
			connections: {},
			active: true,
		} as unknown as IWorkflowBase);
		hooks.addHandler('sendResponse', (response) => answer.resolve(response as IN8nHttpFullResponse));
		hooks.addHandler('nodeExecuteAfter', (nodeName, taskData) => {
			if (nodeName === node.name) output.resolve(taskData.data?.main?.[0] ?? undefined);
		});
		hooks.addHandler('workflowExecuteAfter', () => {
			answer.resolve(undefined);
			output.resolve(undefined);
		});
		const runData = createRunExecutionData({ executionData: { nodeExecutionStack: [{ node, data: { main: items }, source: null }] } });
		void new WorkflowExecute(additionalData({ hooks }), 'webhook', runData).processRunExecutionData(workflow);
		return { answer: answer.promise, output: output.promise };
	};
	/** The calls (post, get) waiting for the run of their request, in the order they were sent. */
	const waitingCalls: Array<(run: Promise<INodeExecutionData[] | undefined>) => void> = [];
	let failingStores = 0;
	const started: INodeExecutionData[][] = [];
	const finished: Array<{ thrown?: string }> = [];
	let received = 0;
	const server = createServer((incoming, outgoing) => {
		received++;
		const run = (async () => {
			const outcome: { thrown?: string } = {};
			const req = unreadRequest(incoming);
			const res = expressResponse(outgoing);
			const data = additionalData({ httpRequest: req, httpResponse: res });
			const name: WebhookType = req.method === 'GET' ? 'setup' : 'default';
			const context = new WebhookContext(workflow, node, data, 'webhook', webhookData(name, data), [], null);
			try {
				const result = await options.nodeType.webhook!.call(context);
				if (!result.workflowData) {
					if (!result.noWebhookResponse) res.status(200).json(result.webhookResponse ?? { message: 'Webhook call received' });
					return undefined;
				}
				if (failingStores > 0) {
					// n8n could not store the execution: it answers 500 and nothing runs.
					failingStores--;
					res.status(500).json({ code: 0, message: 'There was a problem executing the workflow' });
					return undefined;
				}
				const mode = webhookData(name, data).webhookDescription.responseMode;
				if (mode !== 'responseNode') {
					started.push(result.workflowData[0]);
					if (!result.noWebhookResponse) res.status(200).json(result.webhookResponse ?? { message: 'Workflow was started' });
					return result.workflowData[0];
				}
				const execution = runFromTrigger(result.workflowData);
				const answer = await execution.answer;
				// n8n answers at sendResponse; here the answer also waits for the trigger step's output, so a sender
				// that has its answer finds the execution in `started`.
				const items = await execution.output;
				if (items) started.push(items);
				res.status(answer?.statusCode ?? 200).json(answer?.body ?? { message: 'Workflow executed successfully but no data was returned' });
				return items;
			} catch (error) {
				outcome.thrown = errorMessage(error);
				if (!res.headersSent) res.status(500).json({ message: outcome.thrown });
				return undefined;
			} finally {
				finished.push(outcome);
			}
		})();
		// Kept only for a call waiting for it: a sender's own requests (a gateway, a bench) leave nothing behind.
		waitingCalls.shift()?.(run);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	const call = async (init: RequestInit, query = ''): Promise<WebhookCall> => {
		// Resolved with the run of this request (a promise: this one settles with it).
		const run = new Promise<INodeExecutionData[] | undefined>((resolve) => waitingCalls.push(resolve));
		const response = await fetch(`${url}${query}`, init);
		const body = await response.text();
		return { status: response.status, body, items: await run };
	};
	const hook = () => {
		const data = additionalData();
		return new HookContext(workflow, node, data, 'trigger', 'activate', webhookData('default', data));
	};
	const methods = options.nodeType.webhookMethods!.default!;
	const url = `${baseUrl}/webhook/${node.webhookId}/webhook`;

	return {
		url,
		node,
		started,
		get staticData() {
			return workflow.staticData as IDataObject;
		},
		post: (body, headers = {}) => call({ method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } }),
		get: (query) => call({ method: 'GET' }, `?${new URLSearchParams(query)}`),
		failExecutionStores: (count) => {
			failingStores = count;
		},
		credentialReads: credentialsHelper.reads,
		received: () => received,
		finished,
		async activate() {
			const existed = await methods.checkExists!.call(hook());
			if (!existed) await methods.create!.call(hook());
			return { existed };
		},
		deactivate: async () => await methods.delete!.call(hook()),
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
