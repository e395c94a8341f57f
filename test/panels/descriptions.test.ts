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
});
