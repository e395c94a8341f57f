import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { isWhatsAppError } from '../../../contract/errors';

/** Turns any failure of one item into the n8n error users know, carrying the description and the fix. */
export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (!isWhatsAppError(error)) {
		return new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex });
	}
	const description = `${error.description}. Fix: ${error.fix}`;
	// Only answers of the backend are API errors; n8n would replace our message for connection failures with a
	// generic one ("The service refused the connection"), so those stay operation errors that keep their words.
	if (error.kind !== 'api' && error.kind !== 'quota') {
		return new NodeOperationError(node, error.message, { itemIndex, description });
	}
	return new NodeApiError(node, error.toJSON() as JsonObject, {
		itemIndex,
		message: error.message,
		description,
		httpCode: error.httpStatus ? String(error.httpStatus) : undefined,
	});
}

/** The json of an error output item (continueOnFail). */
export function errorItemJson(error: unknown): JsonObject {
	if (isWhatsAppError(error)) return { status: 'failed', error: error.toJSON() as JsonObject };
	return { status: 'failed', error: { message: error instanceof Error ? error.message : String(error) } };
}
