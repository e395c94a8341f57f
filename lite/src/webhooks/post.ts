import axios from 'axios';
import { errorText } from '../log';

const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * The dispatcher's one outbound HTTP call: POSTs a signed event body and says 'delivered' (a 2xx) or why not.
 * Kept alone so an outbound-request policy can wrap or replace it in one place.
 */
export async function postEvent(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<string> {
	try {
		const response = await axios.post(url, body, {
			headers,
			timeout: DELIVERY_TIMEOUT_MS,
			signal,
			validateStatus: () => true,
			maxRedirects: 0,
			transformRequest: [(raw: string) => raw],
		});
		return response.status >= 200 && response.status < 300 ? 'delivered' : `HTTP ${response.status}`;
	} catch (error) {
		return errorText(error);
	}
}
