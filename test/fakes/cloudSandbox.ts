import type { ServerResponse } from 'node:http';
import { type FakeGraphApi, startFakeGraphApi } from './graphApi';
import { type FakeTemplate, TEMPLATES } from './graphTemplates';
import { type RecordedRequest, sendJson } from './httpServer';
import { isBsuid } from '../../nodes/whatsapp/identity';
import { metaTemplateStatusBody, metaTextFrom, metaUserIdUpdateBody, metaWebhookBody, postSignedMetaWebhook } from './metaWebhook';

/**
 * The Cloud API sandbox of `npm start` (docs/cloud-api-sandbox.md): the tests' fake Graph API on a fixed loopback
 * port with the fake business account's templates, a Meta app whose webhook subscription the WhatsApp Trigger can
 * register, and a few routes of its own under /sandbox/ to "receive" a message and look at what was sent.
 * It is NOT Meta: nothing leaves this machine and no WhatsApp user gets anything.
 */
export const CLOUD_SANDBOX_IDS = {
	phoneNumberId: '100000000000001',
	businessAccountId: '100000000000002',
	appId: '100000000000003',
	displayNumber: '+1 555-010-0000',
};

export const SANDBOX_LABEL = 'Local WhatsApp Cloud API sandbox — NOT Meta: nothing leaves this machine, no WhatsApp user receives anything';

/** Recorded requests and sends kept for GET /sandbox/messages; older ones are dropped. */
const MAX_RECORDED = 500;

export interface CloudSandboxOptions {
	accessToken: string;
	appSecret: string;
	port?: number;
	/**
	 * The Cloud webhook relay's callback for the sandbox app (`npm start`: the Lite gateway's `/meta/sandbox`), as a
	 * user enters it in a Meta app: every "received" message goes there too, and from there to the triggers that
	 * receive Through the Relay.
	 */
	relayCallback?: string;
}

export interface CloudSandbox {
	url: string;
	graph: FakeGraphApi;
	/**
	 * Sends a signed Meta webhook for an incoming text to every subscribed callback and the relay; resolves with their
	 * answers. Without `from`, the sender is a username user whose phone Meta withholds: `userId` (their BSUID) is needed.
	 */
	receive(input: { from?: string; userId?: string; username?: string; name?: string; text: string }): Promise<Received>;
	/** Reports a status of an accepted message (by its wamid) to every subscribed callback and the relay, as Meta does. */
	reportStatus(input: { id: string; status: 'sent' | 'delivered' | 'read' }): Promise<Received>;
	/** Sends Meta's `user_id_update`: the person changed their phone number, which gave them a new BSUID. */
	changeUserId(input: { phone?: string; previousUserId: string; userId: string }): Promise<Received>;
	/**
	 * Meta pauses, disables or approves again a template: its status changes (sends of a paused one then get 132015,
	 * of a disabled one 132016) and `message_template_status_update` goes to every subscribed callback and the relay.
	 */
	setTemplateStatus(input: { name: string; language: string; status: string }): Promise<Received>;
	close(): Promise<void>;
}

type Answer = { url: string; status: number };
export type Received = { delivered: Answer[]; relayed?: Answer };

let inboundCounter = 0;

export async function startCloudSandbox(options: CloudSandboxOptions): Promise<CloudSandbox> {
	// Assigned once the fake Graph API runs (below); the handlers defined first read it.
	// eslint-disable-next-line prefer-const
	let graph: FakeGraphApi | undefined;

	/** Meta's delivery to every subscribed callback and to the relay (as a user's Meta app would), each answered. */
	const toEveryCallback = async (deliver: (url: string) => Promise<number>): Promise<Received> => {
		const callbacks = graph!.subscriptions.filter((subscription) => subscription.active).map((subscription) => subscription.callback_url);
		const answer = async (url: string): Promise<Answer> => ({ url, status: await deliver(url) });
		const relayed = options.relayCallback ? await answer(options.relayCallback) : undefined;
		return { delivered: await Promise.all(callbacks.map(answer)), ...(relayed && { relayed }) };
	};
	const post = async (body: unknown) => await toEveryCallback((url) => postSignedMetaWebhook(url, body, options.appSecret));
	const checkedBsuid = (value: string | undefined, field: string) => {
		if (value !== undefined && !isBsuid(value))
			throw new SandboxInputError(`${field} "${value}" is not a business-scoped user ID (e.g. US.13491208655302741918)`);
		return value;
	};

	const receive: CloudSandbox['receive'] = async ({ from, userId, username, name, text }) => {
		const digits = from?.replace(/\D/g, '');
		if (from !== undefined && !/^\d{7,15}$/.test(digits ?? ''))
			throw new SandboxInputError(`from "${from}" is not a phone number with country code (7 to 15 digits)`);
		if (!text) throw new SandboxInputError('body must be the message text');
		const id = `wamid.SANDBOXIN${String(++inboundCounter).padStart(6, '0')}${Date.now().toString(36).toUpperCase()}`;
		// Since April 2026 every message carries the sender's BSUID; the sandbox makes one from the phone when none is given.
		const bsuid = checkedBsuid(userId, 'userId') ?? (digits ? `US.${digits}` : undefined);
		if (!bsuid) throw new SandboxInputError('give from (a phone number), userId (a BSUID, for a user whose phone is withheld), or both');
		const person = { phone: digits, userId: bsuid, username, name: name ?? 'Sandbox user' };
		return await post(metaWebhookBody(metaTextFrom(person, text, id), CLOUD_SANDBOX_IDS.phoneNumberId));
	};

	const reportStatus: CloudSandbox['reportStatus'] = async ({ id, status }) => {
		if (!graph!.accepted.some((sent) => sent.id === id)) throw new SandboxInputError(`id "${id}" is no message the sandbox accepted`);
		return await toEveryCallback((url) => graph!.sendStatuses(url, options.appSecret, [{ id, status }]));
	};

	const changeUserId: CloudSandbox['changeUserId'] = async ({ phone, previousUserId, userId }) => {
		const update = {
			phone: phone?.replace(/\D/g, ''),
			previousUserId: checkedBsuid(previousUserId, 'previousUserId')!,
			userId: checkedBsuid(userId, 'userId')!,
		};
		return await post(metaUserIdUpdateBody(CLOUD_SANDBOX_IDS.phoneNumberId, update));
	};

	// The sandbox's own copy: a status it changes is not the tests' fixture.
	const templates = structuredClone(TEMPLATES);
	const setTemplateStatus: CloudSandbox['setTemplateStatus'] = async ({ name, language, status }) => {
		const template = templates.find((candidate) => candidate.name === name && candidate.language === language);
		if (!template) throw new SandboxInputError(`no template ${name} in ${language}: GET the message_templates listing for the names`);
		if (!TEMPLATE_EVENTS.includes(status)) throw new SandboxInputError(`status "${status}" is none of ${TEMPLATE_EVENTS.join(', ')}`);
		template.status = status === 'REINSTATED' ? 'APPROVED' : (status as FakeTemplate['status']);
		const pause =
			status === 'PAUSED'
				? { title: 'FIRST_PAUSE', description: 'Your template has been paused for 3 hours because it had issues.' }
				: undefined;
		return await post(metaTemplateStatusBody(CLOUD_SANDBOX_IDS.businessAccountId, template, status, pause));
	};

	const sandboxRoutes = async (request: RecordedRequest, res: ServerResponse): Promise<boolean> => {
		trim(graph);
		if (request.method === 'GET' && request.path === '/') {
			sendJson(res, 200, { sandbox: SANDBOX_LABEL, docs: 'docs/cloud-api-sandbox.md', ...CLOUD_SANDBOX_IDS });
			return true;
		}
		if (!request.path.startsWith('/sandbox/')) return false;
		try {
			if (request.method === 'GET' && request.path === '/sandbox/messages')
				sendJson(res, 200, { sandbox: SANDBOX_LABEL, messages: graph!.accepted });
			else if (request.method === 'GET' && request.path === '/sandbox/subscriptions')
				sendJson(res, 200, { subscriptions: graph!.subscriptions });
			else if (request.method === 'POST' && request.path === '/sandbox/marketing-messages-terms') {
				const { accepted } = (request.body ?? {}) as { accepted?: unknown };
				if (typeof accepted !== 'boolean') throw new SandboxInputError('body must be {"accepted": true} or {"accepted": false}');
				graph!.options.marketingMessagesTermsAccepted = accepted;
				sendJson(res, 200, { marketingMessagesTermsAccepted: accepted });
			} else if (request.method === 'POST' && request.path in SENDERS) {
				const body = (request.body ?? {}) as Record<string, unknown>;
				const given = (key: string) => (typeof body[key] === 'string' || typeof body[key] === 'number' ? String(body[key]) : undefined);
				const route = SENDERS[request.path];
				const received =
					route === 'receive'
						? await receive({
								from: given('from'),
								userId: given('userId'),
								username: given('username'),
								name: given('name'),
								// `body`, as the Lite sandbox's POST /sandbox/inbound names the text (`text` too, as this route first did).
								text: given('body') ?? given('text') ?? '',
							})
						: route === 'reportStatus'
							? await reportStatus({ id: given('id') ?? '', status: (given('status') ?? 'delivered') as 'delivered' })
							: route === 'setTemplateStatus'
								? await setTemplateStatus({ name: given('name') ?? '', language: given('language') ?? '', status: given('status') ?? '' })
								: await changeUserId({
										phone: given('phone'),
										previousUserId: given('previousUserId') ?? '',
										userId: given('userId') ?? '',
									});
				const reached = received.delivered.length > 0 || received.relayed !== undefined;
				const hint = reached
					? undefined
					: 'No webhook is subscribed: activate a workflow with a WhatsApp Trigger on the Cloud API sandbox credential (Register Automatically on)';
				sendJson(res, reached ? 200 : 409, { ...received, ...(hint && { hint }) });
			} else sendJson(res, 404, { error: `no sandbox route ${request.method} ${request.path}` });
		} catch (error) {
			if (!(error instanceof SandboxInputError)) throw error;
			sendJson(res, 400, { error: error.message });
		}
		return true;
	};

	graph = await startFakeGraphApi({
		accessToken: options.accessToken,
		phoneNumberId: CLOUD_SANDBOX_IDS.phoneNumberId,
		businessAccountId: CLOUD_SANDBOX_IDS.businessAccountId,
		templates,
		maxTemplatePageSize: 25,
		// Accepted, so that `npm start` shows the endpoint; POST /sandbox/marketing-messages-terms withdraws it.
		marketingMessagesTermsAccepted: true,
		app: { id: CLOUD_SANDBOX_IDS.appId, secret: options.appSecret },
		phoneNumber: { display: CLOUD_SANDBOX_IDS.displayNumber, verifiedName: 'Cloud API sandbox (not Meta)' },
		port: options.port,
		before: sandboxRoutes,
	});
	return { url: graph.url, graph, receive, reportStatus, changeUserId, setTemplateStatus, close: graph.close };
}

class SandboxInputError extends Error {}

/** The sandbox's webhook routes and what each sends. */
const SENDERS: Record<string, 'receive' | 'reportStatus' | 'changeUserId' | 'setTemplateStatus'> = {
	'/sandbox/inbound': 'receive',
	'/sandbox/status': 'reportStatus',
	'/sandbox/user-id-update': 'changeUserId',
	'/sandbox/template-status': 'setTemplateStatus',
};

/** The template status changes the sandbox can announce: a pause and a disable stop sends, the others allow them again. */
const TEMPLATE_EVENTS = ['PAUSED', 'DISABLED', 'APPROVED', 'REINSTATED'];

function trim(graph: FakeGraphApi | undefined) {
	for (const list of [graph?.requests, graph?.accepted, graph?.uploads]) {
		if (list && list.length > MAX_RECORDED) list.splice(0, list.length - MAX_RECORDED);
	}
}
