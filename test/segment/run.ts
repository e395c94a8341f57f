import type { INodeParameters } from 'n8n-workflow';
import { PACKAGE, type TestWorkflow, type WorkflowResult, retryExecution, runWorkflow, singleNodeWorkflow } from '../harness/engine';
import { type TestRedis, startRedis, uniquePrefix } from '../harness/redis';
import { type Backends, credentialsFor, startBackends } from '../send/fixtures';

export interface SegmentRunOptions {
	signal?: AbortSignal;
	redisUrl?: string;
	continueOnFail?: boolean;
	node?: string;
	credentials?: { accessToken?: string; apiKey?: string };
}

/** `count` recipients with distinct numbers (from `offset`) and a name each: one input item per recipient. */
export const recipients = (count: number, offset = 0) =>
	Array.from({ length: count }, (_, index) => ({
		json: { phone: `+49 151 ${String(10_000_000 + offset + index)}`, name: `User ${offset + index}` },
	}));

interface SegmentExecution {
	name: string;
	workflow: TestWorkflow;
	credentials: Parameters<typeof runWorkflow>[1];
}

function withItems(result: WorkflowResult, execution: SegmentExecution) {
	return { ...result, execution, items: result.output(execution.name).map((item) => item.json) };
}

/**
 * Fresh fakes and Redis key prefix per test, a private Redis per file, and `sendSegment`: a sending node over a
 * segment, with the Redis credential, as a Schedule Trigger workflow would run it.
 */
export function useSegmentRun(options: { redis?: () => Promise<TestRedis> } = {}) {
	let redis: TestRedis;
	let backends: Backends;
	let keyPrefix: string;

	beforeAll(async () => {
		redis = await (options.redis ?? startRedis)();
	});
	afterAll(async () => {
		await redis.stop();
	});
	beforeEach(async () => {
		backends = await startBackends();
		backends.lite.state.quotaLeft = Number.MAX_SAFE_INTEGER;
		keyPrefix = uniquePrefix();
	});
	afterEach(async () => {
		await backends.close();
	});

	function redisCredential(url = redis.url) {
		const { hostname, port } = new URL(url);
		return { host: hostname, port: Number(port), password: '', database: 0, tls: false, keyPrefix };
	}

	async function sendSegment(
		parameters: INodeParameters & { delivery?: INodeParameters },
		items: Array<{ json: Record<string, unknown> }>,
		run: SegmentRunOptions = {},
	) {
		const name = run.node ?? 'WhatsApp Send';
		const type = name === 'WhatsApp Template Send' ? `${PACKAGE}.whatsAppTemplateSend` : `${PACKAGE}.whatsAppSend`;
		const defaults = type.endsWith('whatsAppSend')
			? { operation: 'sendText', recipient: '={{ $json.phone }}', text: '=Hi {{ $json.name }}' }
			: {};
		const workflow = singleNodeWorkflow(
			{
				name,
				type,
				parameters: { ...defaults, options: { initialBackoffMs: 20 }, ...parameters },
				credentials: {
					whatsAppCloudApi: { id: '1', name: 'Cloud' },
					whatsAppLiteApi: { id: '2', name: 'Lite' },
					whatsAppRedis: { id: '3', name: 'Redis' },
				},
				...(run.continueOnFail !== false && { onError: 'continueRegularOutput' as const }),
			},
			items,
		);
		const credentials = { ...credentialsFor(backends.graph, backends.lite, run.credentials), whatsAppRedis: redisCredential(run.redisUrl) };
		return withItems(await runWorkflow(workflow, credentials, { signal: run.signal }), { name, workflow, credentials });
	}

	/** n8n's Retry of a failed segment execution, with the same workflow and credentials. */
	async function retrySegment(failed: Awaited<ReturnType<typeof sendSegment>>) {
		const { execution } = failed;
		return withItems(await retryExecution(execution.workflow, execution.credentials, failed.run), execution);
	}

	return { backends: () => backends, redis: () => redis, keyPrefix: () => keyPrefix, sendSegment, retrySegment };
}
