/**
 * What the node descriptions make n8n show, evaluated with n8n-workflow's own code (the editor renders the same):
 * canvas subtitles by option names, and which credentials each backend shows.
 */
import { type ICredentialType, type INode, type INodeType, NodeHelpers, Workflow } from 'n8n-workflow';
import { WhatsAppCloudApi } from '../../credentials/WhatsAppCloudApi.credentials';
import { WhatsAppLiteApi } from '../../credentials/WhatsAppLiteApi.credentials';
import { WhatsAppRedis } from '../../credentials/WhatsAppRedis.credentials';
import { WhatsAppRelayApi } from '../../credentials/WhatsAppRelayApi.credentials';
import { WhatsAppSend } from '../../nodes/WhatsAppSend/WhatsAppSend.node';
import { WhatsAppTemplateSend } from '../../nodes/WhatsAppTemplateSend/WhatsAppTemplateSend.node';
import { WhatsAppTrigger } from '../../nodes/WhatsAppTrigger/WhatsAppTrigger.node';

const nodeTypes: Record<string, INodeType> = {
	send: new WhatsAppSend(),
	template: new WhatsAppTemplateSend(),
	trigger: new WhatsAppTrigger(),
};
const workflowNodeTypes = {
	getByName: (type: string) => nodeTypes[type],
	getByNameAndVersion: (type: string) => nodeTypes[type],
	getKnownTypes: () => ({}),
};

const nodeOf = (type: string, parameters: INode['parameters']): INode => ({
	id: 'node',
	name: 'Node',
	type,
	typeVersion: 1,
	position: [0, 0],
	parameters,
});

function subtitle(type: string, parameters: INode['parameters']): unknown {
	const node = nodeOf(type, parameters);
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: workflowNodeTypes });
	return workflow.expression.getSimpleParameterValue(node, nodeTypes[type].description.subtitle!, 'internal', {});
}

/** The credential types n8n shows (and lets the node use) for these parameters. */
function shownCredentials(type: string, parameters: INode['parameters']): string[] {
	const node = nodeOf(type, parameters);
	const description = nodeTypes[type].description;
	return (description.credentials ?? [])
		.filter((credential) => NodeHelpers.displayParameter(parameters, credential, node, description, parameters))
		.map((credential) => credential.name);
}

/** n8n's own resolution of a node's parameters, as the editor and a run load a saved node: values kept, defaults added. */
function loaded(type: string, parameters: INode['parameters']) {
	const description = nodeTypes[type].description;
	return NodeHelpers.getNodeParameters(description.properties, parameters, true, false, nodeOf(type, parameters), description)!;
}

/** The choices of the options parameter `name` the panel shows for these parameters (several same-named ones per backend). */
function shownChoices(type: string, name: string, parameters: INode['parameters']): string[] {
	const description = nodeTypes[type].description;
	const values = loaded(type, parameters);
	return description.properties
		.filter(
			(property) => property.name === name && NodeHelpers.displayParameter(values, property, nodeOf(type, values), description, values),
		)
		.flatMap((property) => (property.options ?? []).map((option) => ('name' in option ? option.name : '')));
}

/** The notices the panel shows for these parameters, by name. */
function shownNotices(type: string, parameters: INode['parameters']): string[] {
	const description = nodeTypes[type].description;
	const values = loaded(type, parameters);
	return description.properties
		.filter(
			(property) => property.type === 'notice' && NodeHelpers.displayParameter(values, property, nodeOf(type, values), description, values),
		)
		.map((property) => property.name);
}

describe('node descriptions as n8n shows them', () => {
	it('subtitles name the chosen options, not their values', () => {
		expect(subtitle('send', { resource: 'message', operation: 'sendText' })).toBe('Send Text');
		expect(subtitle('send', { resource: 'message', operation: 'sendButtons' })).toBe('Send Reply Buttons');
		expect(subtitle('send', { resource: 'campaign', operation: 'get' })).toBe('Campaign: Get');
		expect(subtitle('template', { operation: 'send', templateSource: 'meta' })).toBe('Send: Meta Approved Template');
		expect(subtitle('template', { operation: 'preview', templateSource: 'text' })).toBe('Preview: Text Template');
		expect(subtitle('trigger', { events: ['message', 'status', 'campaignFinished'] })).toBe(
			'Message Received, Message Status, Campaign Finished',
		);
	});

	it.each(Object.keys(nodeTypes))(
		'%s: each backend shows its own credential and the optional Redis one, on the root path n8n does not take for an auth field',
		(type) => {
			expect(shownCredentials(type, { backend: 'cloud' })).toEqual(['whatsAppCloudApi', 'whatsAppRedis']);
			expect(shownCredentials(type, { backend: 'lite' })).toEqual(['whatsAppLiteApi', 'whatsAppRedis']);
			const credentialKeys = (nodeTypes[type].description.credentials ?? []).flatMap((credential) =>
				Object.keys(credential.displayOptions?.show ?? {}),
			);
			const parameterNames = new Set(nodeTypes[type].description.properties.map((property) => property.name));
			expect(credentialKeys.filter((key) => parameterNames.has(key))).toEqual([]);
		},
	);

	it('a Cloud trigger receiving through the relay shows the relay credential too', () => {
		expect(shownCredentials('trigger', { backend: 'cloud', reception: 'relay' })).toEqual([
			'whatsAppCloudApi',
			'whatsAppRedis',
			'whatsAppRelayApi',
		]);
		expect(shownCredentials('trigger', { backend: 'lite', reception: 'relay' })).toEqual(['whatsAppLiteApi', 'whatsAppRedis']);
	});

	it('no credential type makes n8n add "Custom API Call" to the operations (an `authenticate` block or an OAuth parent)', () => {
		const credentialTypes: ICredentialType[] = [new WhatsAppCloudApi(), new WhatsAppLiteApi(), new WhatsAppRedis(), new WhatsAppRelayApi()];
		const used = new Set(Object.values(nodeTypes).flatMap((nodeType) => (nodeType.description.credentials ?? []).map(({ name }) => name)));
		expect(credentialTypes.map(({ name }) => name).sort()).toEqual([...used].sort());
		for (const credentialType of credentialTypes) {
			expect(credentialType.authenticate).toBeUndefined();
			expect(credentialType.extends ?? []).toEqual([]);
		}
	});

	it('per backend: Pause, Resume and Cancel only on Lite, no Media ID source on Lite; saved values load unchanged', () => {
		expect(shownChoices('send', 'operation', { backend: 'cloud', resource: 'campaign' })).toEqual(['Get', 'List by Day']);
		expect(shownChoices('send', 'operation', { backend: 'lite', resource: 'campaign' })).toEqual([
			'Cancel',
			'Get',
			'List by Day',
			'Pause',
			'Resume',
		]);
		expect(shownChoices('send', 'mediaSource', { backend: 'cloud', operation: 'sendMedia' })).toEqual([
			'Link',
			'Media ID',
			'File From an Earlier Node',
		]);
		expect(shownChoices('send', 'mediaSource', { backend: 'lite', operation: 'sendMedia' })).toEqual(['Link', 'File From an Earlier Node']);
		// A saved Lite campaign Pause and a Lite send of a file keep their values, as does a Cloud send by media ID.
		expect(loaded('send', { backend: 'lite', resource: 'campaign', operation: 'pause', campaignId: 'c1' })).toMatchObject({
			operation: 'pause',
			campaignId: 'c1',
		});
		expect(loaded('send', { backend: 'lite', operation: 'sendMedia', mediaSource: 'binary' })).toMatchObject({ mediaSource: 'binary' });
		// A Lite node left on Media ID keeps its ID, so the run says that Lite cannot send by media ID (not "no media").
		expect(loaded('send', { backend: 'lite', operation: 'sendMedia', mediaSource: 'id', mediaId: '42' })).toMatchObject({
			mediaSource: 'id',
			mediaId: '42',
		});
		expect(loaded('send', { backend: 'cloud', operation: 'sendMedia', mediaSource: 'id', mediaId: '42' })).toMatchObject({
			mediaSource: 'id',
			mediaId: '42',
		});
	});

	it("the trigger's events: every backend's in the node creator's list, each backend's own in the panel, a mismatch said", () => {
		const trigger = nodeTypes.trigger.description;
		// n8n's node creator lists the options of the first property labelled "Trigger On" (useActionsGenerator).
		const creatorList = trigger.properties.find((property) => property.displayName === 'Trigger On')!;
		expect((creatorList.options ?? []).map((option) => option.name)).toEqual([
			'Account Update',
			'Campaign Finished',
			'Campaign Progress',
			'Contact ID Changed',
			'Error',
			'Message Received',
			'Message Status',
			'Session Change',
			'Template Status',
		]);
		expect(creatorList.displayOptions?.show).toBeUndefined(); // the creator would set what `show` names
		expect(shownChoices('trigger', 'events', { backend: 'cloud' })).toEqual([
			'Account Update',
			'Contact ID Changed',
			'Error',
			'Message Received',
			'Message Status',
			'Template Status',
		]);
		expect(shownChoices('trigger', 'events', { backend: 'lite' })).toEqual([
			'Campaign Finished',
			'Campaign Progress',
			'Message Received',
			'Message Status',
			'Session Change',
		]);
		expect(loaded('trigger', { backend: 'lite', events: ['session', 'message'] })).toMatchObject({ events: ['session', 'message'] });
		expect(loaded('trigger', { backend: 'cloud', events: ['template'] })).toMatchObject({ events: ['template'] });
		expect(shownNotices('trigger', { backend: 'cloud', events: ['message', 'session'] })).toContain('liteEventsNotice');
		expect(shownNotices('trigger', { backend: 'lite', events: ['template'] })).toContain('cloudEventsNotice');
		expect(shownNotices('trigger', { backend: 'cloud', events: ['message'] })).not.toContain('liteEventsNotice');
	});

	it("the Lite container's daily limit is said in both sending panels on Lite only", () => {
		expect(shownNotices('send', { backend: 'lite', operation: 'sendText' })).toContain('liteQuotaNotice');
		expect(shownNotices('template', { backend: 'lite', operation: 'send' })).toContain('liteQuotaNotice');
		expect(shownNotices('send', { backend: 'cloud', operation: 'sendText' })).not.toContain('liteQuotaNotice');
		expect(shownNotices('send', { backend: 'lite', operation: 'markAsRead' })).not.toContain('liteQuotaNotice');
	});
});
