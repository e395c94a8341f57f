import type { IHttpRequestOptions } from 'n8n-workflow';
import type { HttpRequest, HttpRequester, HttpResponse } from '../channel/http';
import { transportFailure } from '../channel/http';

/** Every request to a backend, whichever n8n helper carries it. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** One n8n request helper, asked for the full response whatever its status. */
export type HelperCall = (
	options: IHttpRequestOptions,
) => Promise<{ statusCode: number; headers?: Record<string, unknown>; body: unknown }>;

/**
 * A requester over an n8n helper: the request with its timeout and any extra headers, the full response back, and a
 * failure without an answer as a transport failure naming `target` (e.g. "the Lite container").
 */
export function helperRequester(target: string, call: HelperCall, extraHeaders: Record<string, string> = {}): HttpRequester {
	return async (request: HttpRequest): Promise<HttpResponse> => {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: request.url,
			headers: { ...request.headers, ...extraHeaders },
			qs: request.qs,
			body: request.body as IHttpRequestOptions['body'],
			json: !Buffer.isBuffer(request.body),
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: REQUEST_TIMEOUT_MS,
		};
		try {
			const response = await call(options);
			return { statusCode: response.statusCode, headers: response.headers ?? {}, body: response.body };
		} catch (error) {
			throw transportFailure(error, target);
		}
	};
}
