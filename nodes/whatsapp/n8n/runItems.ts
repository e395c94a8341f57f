import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { Channel } from '../channel/types';
import { errorItemJson, toNodeError } from './nodeErrors';

/** What one input item asks for, checked and ready to run. */
export type PlannedAction = (channel: Channel) => Promise<IDataObject>;

/**
 * Runs a node's items in two passes: first every item is read and validated (so bad input fails before anything
 * is sent), then the actions run in item order. One output item per input item, paired with it; with
 * continueOnFail a failed item becomes an error item and the rest go on.
 */
export async function runItems(
	context: IExecuteFunctions,
	channel: Channel,
	planItem: (itemIndex: number) => Promise<PlannedAction>,
): Promise<INodeExecutionData[]> {
	const items = context.getInputData();
	const continueOnFail = context.continueOnFail();
	const outcomes: Array<PlannedAction | { failed: unknown }> = [];

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			outcomes.push(await planItem(itemIndex));
		} catch (error) {
			if (!continueOnFail) throw toNodeError(context.getNode(), error, itemIndex);
			outcomes.push({ failed: error });
		}
	}

	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < outcomes.length; itemIndex++) {
		const outcome = outcomes[itemIndex];
		const pairedItem = { item: itemIndex };
		if (typeof outcome !== 'function') {
			output.push({ json: errorItemJson(outcome.failed), pairedItem });
			continue;
		}
		try {
			output.push({ json: await outcome(channel), pairedItem });
		} catch (error) {
			if (!continueOnFail) throw toNodeError(context.getNode(), error, itemIndex);
			output.push({ json: errorItemJson(error), pairedItem });
		}
	}
	return output;
}
