import type { INodeParameters } from 'n8n-workflow';
import { PACKAGE, type TestWorkflow } from '../harness/engine';
import { cloudCredentials, liteCredentials, PHONE_NUMBER_ID } from '../trigger/fixtures';
import { ACCESS_TOKEN, type Backends, LITE_API_KEY } from '../send/fixtures';

export const ASKED = '4915123456789';

/** Input → Send and Wait for Response, asking ASKED; `withRedis` gives the node the Redis credential. */
export function askWorkflow(parameters: INodeParameters, withRedis = false): TestWorkflow {
	return {
		nodes: [
			{
				id: 'input',
				name: 'Input',
				type: 'test.items',
				typeVersion: 1,
				position: [0, 0],
				parameters: { items: JSON.stringify([{ json: { order: 1042 } }]) },
			},
			{
				id: 'ask-node-1',
				name: 'Ask',
				type: `${PACKAGE}.whatsAppSend`,
				typeVersion: 1,
				position: [200, 0],
				parameters: {
					resource: 'message',
					operation: 'sendAndWait',
					recipient: `+${ASKED}`,
					question: 'Approve the refund of 40 € for order 1042?',
					delivery: { minDelayMinutes: 0, maxDelayMinutes: 0 },
					options: { initialBackoffMs: 5 },
					...parameters,
				},
				credentials: {
					whatsAppCloudApi: { id: '1', name: 'Cloud' },
					whatsAppLiteApi: { id: '2', name: 'Lite' },
					...(withRedis && { whatsAppRedis: { id: '3', name: 'Redis' } }),
				},
			},
		],
		connections: { Input: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] } },
	};
}

/** The Send node's credentials against the fakes, with the trigger fixtures' account IDs (one number for both nodes). */
export function sendCredentials({ graph, lite }: Pick<Backends, 'graph' | 'lite'>) {
	return {
		whatsAppCloudApi: cloudCredentials({ baseUrl: graph.url, phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN }),
		whatsAppLiteApi: liteCredentials({ url: lite.url, apiKey: LITE_API_KEY }),
	};
}
