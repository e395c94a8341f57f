import './setupEnv';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import {
	generateUrlSignature,
	InstanceSettings,
	prepareUrlForSigning,
	WAITING_TOKEN_QUERY_PARAM,
	WebhookContext,
	WorkflowExecute,
} from 'n8n-core';
import type { ICredentialDataDecryptedObject, IRun, IRunExecutionData, IWebhookData, IWebhookDescription } from 'n8n-workflow';
import { prepareExecution, type TestWorkflow, testNodeTypes } from './engine';
import { expressRequest, expressResponse } from './webhook';

/** n8n-core's own dependency container (it has its own copy of @n8n/di), which holds its InstanceSettings. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Container } = require(require.resolve('@n8n/di', { paths: [require.resolve('n8n-core')] })) as typeof import('@n8n/di');

/** Execution IDs, unique in the test process as in n8n's database (the default campaign ID is made from one). */
let executionCounter = 0;

/** One execution as n8n's database keeps it between runs: its data as JSON, its status and when it stops waiting. */
interface StoredExecution {
	workflow: TestWorkflow;
	data: string;
	status: 'running' | 'waiting' | 'success' | 'error';
	waitTill?: Date;
	runs: IRun[];
	/** Called on every end of a run (waiting or finished). */
	settled: Array<() => void>;
}

export interface WaitingHost {
	/** Base URL: n8n's URLs (webhook-waiting) point here. */
	url: string;
	/** Runs a workflow from its first node until it waits or ends; resolves with its ID and that run. */
	start(workflow: TestWorkflow): Promise<{ executionId: string; run: IRun }>;
	status(executionId: string): StoredExecution['status'];
	waitTill(executionId: string): Date | undefined;
	/** The run of the execution's last part (after a resume: the whole execution's data). */
	lastRun(executionId: string): IRun;
	/** Resolves once the execution is no longer running nor waiting. */
	finished(executionId: string): Promise<IRun>;
	/** What n8n's WaitTracker does when an execution's waitTill passed: runs it on, with its wait still set. */
	timeOut(executionId: string): Promise<IRun>;
	/** Requests to webhook-waiting URLs, and how many resumed an execution. */
	counts: { resumeRequests: number; resumed: number; refusedSignatures: number };
	close(): Promise<void>;
}

/**
 * n8n's waiting executions without n8n's server: stored as JSON between runs (as its database keeps them), resumed
 * by a POST to `<url>/webhook-waiting/<execution>/<node>` the way n8n's WaitingWebhooks does it (signature checked
 * when the execution asked for one; the waiting node disabled so it passes on what its webhook() returned; 409 for
 * an execution running or finished), and timed out the way its WaitTracker runs them on.
 */
export async function startWaitingHost(credentials: Record<string, ICredentialDataDecryptedObject>): Promise<WaitingHost> {
	const executions = new Map<string, StoredExecution>();
	const counts = { resumeRequests: 0, resumed: 0, refusedSignatures: 0 };
	let baseUrl = '';

	/** Runs (part of) an execution and stores where it ended. */
	const runPart = async (executionId: string, stored: StoredExecution, data?: IRunExecutionData): Promise<IRun> => {
		stored.status = 'running';
		const { workflow, additionalData, finished } = prepareExecution(stored.workflow, credentials, 'manual', { executionId, baseUrl });
		const execution = data
			? new WorkflowExecute(additionalData, 'manual', data).processRunExecutionData(workflow)
			: new WorkflowExecute(additionalData, 'manual').run(workflow, workflow.getNode(stored.workflow.nodes[0].name) ?? undefined);
		const run = await finished.promise;
		await execution.catch(() => undefined);
		stored.data = JSON.stringify(run.data);
		stored.runs.push(run);
		stored.waitTill = run.waitTill ?? undefined;
		stored.status = run.waitTill ? 'waiting' : run.data.resultData.error ? 'error' : 'success';
		for (const settle of stored.settled.splice(0)) settle();
		return run;
	};

	const validSignature = (url: URL, host: string) => {
		const token = url.searchParams.get(WAITING_TOKEN_QUERY_PARAM);
		if (!token) return false;
		const unsigned = new URL(`http://${host}${url.pathname}${url.search}`);
		unsigned.searchParams.delete(WAITING_TOKEN_QUERY_PARAM);
		const expected = generateUrlSignature(prepareUrlForSigning(unsigned), Container.get(InstanceSettings).hmacSignatureSecret);
		return token.length === expected.length && timingSafeEqual(Buffer.from(token), Buffer.from(expected));
	};

	const server = createServer((incoming, outgoing) => {
		void (async () => {
			const req = await expressRequest(incoming);
			const res = expressResponse(outgoing);
			const url = new URL(req.url ?? '/', 'http://localhost');
			const [, prefix, executionId, suffix] = url.pathname.split('/');
			if (req.method !== 'POST' || prefix !== 'webhook-waiting') return void res.status(404).json({ message: 'not found' });
			counts.resumeRequests++;
			const stored = executions.get(executionId);
			if (!stored) return void res.status(404).json({ message: `The execution "${executionId}" does not exist.` });
			const data = JSON.parse(stored.data) as IRunExecutionData;
			if (data.validateSignature && !validSignature(url, String(req.headers.host))) {
				counts.refusedSignatures++;
				return void res.status(401).json({ error: 'Invalid token' });
			}
			if (stored.status === 'running') return void res.status(409).json({ message: `The execution "${executionId}" is running already.` });
			if (stored.status !== 'waiting') return void res.status(409).json({ message: `The execution "${executionId} has finished already.` });
			const lastNodeExecuted = data.resultData.lastNodeExecuted as string;
			const { workflow, additionalData } = prepareExecution(stored.workflow, credentials, 'manual', { executionId, baseUrl });
			const node = workflow.getNode(lastNodeExecuted)!;
			const nodeType = testNodeTypes.getByNameAndVersion(node.type, node.typeVersion);
			const description = nodeType.description.webhooks?.find((webhook) => webhook.restartWebhook && webhook.httpMethod === 'POST');
			const path = description && workflow.expression.getSimpleParameterValue(node, description.path, 'internal', {});
			if (!description || path !== suffix) return void res.status(404).json({ message: 'no waiting webhook with a matching path/method' });
			data.executionData!.nodeExecutionStack[0].node.disabled = true;
			data.waitTill = undefined;
			data.resultData.runData[lastNodeExecuted].pop();
			Object.assign(additionalData, { httpRequest: req, httpResponse: res });
			const webhookData: IWebhookData = {
				httpMethod: 'POST',
				node: node.name,
				path: String(path),
				webhookDescription: description as IWebhookDescription,
				workflowId: workflow.id,
				workflowExecuteAdditionalData: additionalData,
			};
			const context = new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], data);
			const result = await nodeType.webhook!.call(context);
			if (!result.workflowData) {
				if (!result.noWebhookResponse) res.status(200).json(result.webhookResponse ?? { message: 'Webhook call received' });
				return;
			}
			data.executionData!.nodeExecutionStack[0].data.main = result.workflowData;
			counts.resumed++;
			stored.status = 'running';
			res.status(200).json(result.webhookResponse ?? { message: 'Workflow was started' });
			await runPart(executionId, stored, data);
		})().catch((error: Error) => {
			if (!outgoing.headersSent) outgoing.writeHead(500).end(JSON.stringify({ message: error.message }));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	const get = (executionId: string) => {
		const stored = executions.get(executionId);
		if (!stored) throw new Error(`No execution ${executionId}`);
		return stored;
	};
	const whenSettled = (stored: StoredExecution, done: () => boolean) =>
		new Promise<IRun>((resolve) => {
			const check = () => (done() ? resolve(stored.runs[stored.runs.length - 1]) : stored.settled.push(check));
			check();
		});

	return {
		url: baseUrl,
		counts,
		async start(workflow) {
			const executionId = String(++executionCounter);
			const stored: StoredExecution = { workflow, data: '', status: 'running', runs: [], settled: [] };
			executions.set(executionId, stored);
			return { executionId, run: await runPart(executionId, stored) };
		},
		status: (executionId) => get(executionId).status,
		waitTill: (executionId) => get(executionId).waitTill,
		lastRun: (executionId) => get(executionId).runs.at(-1)!,
		finished: (executionId) => {
			const stored = get(executionId);
			return whenSettled(stored, () => stored.status === 'success' || stored.status === 'error');
		},
		async timeOut(executionId) {
			const stored = get(executionId);
			if (stored.status !== 'waiting') throw new Error(`Execution ${executionId} is ${stored.status}, not waiting`);
			return await runPart(executionId, stored, JSON.parse(stored.data) as IRunExecutionData);
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
