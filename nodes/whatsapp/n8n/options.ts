import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../delivery/retry';

/** The retry policy from the node's Options collection. */
export function retryPolicyFrom(options: IDataObject): RetryPolicy {
	return {
		...DEFAULT_RETRY_POLICY,
		maxAttempts: Number(options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts),
		initialBackoffMs: Number(options.initialBackoffMs ?? DEFAULT_RETRY_POLICY.initialBackoffMs),
	};
}

export function nodeOptions(context: IExecuteFunctions, itemIndex: number): IDataObject {
	return context.getNodeParameter('options', itemIndex, {}) as IDataObject;
}
