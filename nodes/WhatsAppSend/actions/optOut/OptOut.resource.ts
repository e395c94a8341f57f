import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Channel } from '../../../whatsapp/channel/types';
import { invalidInput } from '../../../../contract/errors';
import { normalisePhone } from '../../../../contract/phone';
import type { OptOutEntry } from '../../../../contract/optOuts';
import type { OptOutList, OptOutStore } from '../../../whatsapp/store/optOuts';
import { errorItemJson, toNodeError } from '../../../whatsapp/n8n/nodeErrors';
import { stateStoreFor } from '../../../whatsapp/n8n/store';

type Operation = 'add' | 'check' | 'import' | 'list' | 'remove';

const forOptOuts = (operation?: Operation[]) => ({ show: { resource: ['optOut'], ...(operation && { operation }) } });

/** Entries one List call reads from the store at a time. */
const PAGE_SIZE = 1000;

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: forOptOuts(),
		options: [
			{
				name: 'Add',
				value: 'add',
				action: 'Add a person to the opt out list',
				description: 'Sends and Template Sends skip them from now on',
			},
			{
				name: 'Check',
				value: 'check',
				action: 'Check whether a person opted out',
				description: 'Whether they are on the list (optedOut true or false), with when and how they got there',
			},
			{
				name: 'Import',
				value: 'import',
				action: 'Import opt outs from input items',
				description: 'Each input item is one person (e.g. rows of a sheet or a CRM export)',
			},
			{ name: 'List', value: 'list', action: 'List the opt outs', description: 'One item per person, oldest opt-out first' },
			{ name: 'Remove', value: 'remove', action: 'Remove a person from the opt out list', description: 'They opted in again' },
		],
		default: 'check',
	},
	{
		displayName: 'Phone Number',
		name: 'phone',
		type: 'string',
		default: '',
		required: true,
		placeholder: '+49 151 23456789',
		description: "The person's number with country code, usually mapped from the input item",
		displayOptions: forOptOuts(['add', 'check', 'remove']),
	},
	{
		displayName: 'Note',
		name: 'note',
		type: 'string',
		default: '',
		placeholder: 'Unsubscribed on the website',
		description: 'Kept with the entry, e.g. where the opt-out came from',
		displayOptions: forOptOuts(['add']),
	},
	{
		displayName: 'Phone Field',
		name: 'phoneField',
		type: 'string',
		default: 'phone',
		required: true,
		description: 'The field of each input item that holds the phone number',
		displayOptions: forOptOuts(['import']),
	},
	{
		displayName: 'Opted Out At Field',
		name: 'dateField',
		type: 'string',
		default: '',
		placeholder: 'unsubscribedAt',
		description: 'The field that holds when the person opted out (any date JavaScript reads, e.g. ISO 8601); empty or missing: now',
		displayOptions: forOptOuts(['import']),
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: forOptOuts(['list']),
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { resource: ['optOut'], operation: ['list'], returnAll: [false] } },
	},
	{
		displayName: 'Offset',
		name: 'offset',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'How many entries to pass over first (the next page starts at the previous offset plus its limit)',
		displayOptions: forOptOuts(['list']),
	},
];

/** What one input item asks of the list: a person, with the entry an add would store. */
interface PersonRequest {
	itemIndex: number;
	phone: string;
	entry: OptOutEntry;
}

function dateOf(value: unknown, field: string): string {
	if (value === undefined || value === null || value === '') return new Date().toISOString();
	const at = new Date(value as string);
	if (Number.isNaN(at.getTime()))
		throw invalidInput(
			field,
			value,
			'is not a date',
			'Map an ISO 8601 date such as 2026-05-01T09:30:00Z, or leave the field empty for now',
		);
	return at.toISOString();
}

function personRequest(context: IExecuteFunctions, operation: Operation, itemIndex: number): PersonRequest {
	if (operation !== 'import') {
		const phone = normalisePhone(context.getNodeParameter('phone', itemIndex, ''), 'Phone Number');
		const note = String(context.getNodeParameter('note', itemIndex, '') ?? '').trim();
		return { itemIndex, phone, entry: { at: new Date().toISOString(), source: 'manual', ...(note && { note }) } };
	}
	const json = context.getInputData()[itemIndex].json;
	const phoneField = String(context.getNodeParameter('phoneField', itemIndex, 'phone'));
	const dateField = String(context.getNodeParameter('dateField', itemIndex, '') ?? '').trim();
	const phone = normalisePhone(json[phoneField], `Phone Field "${phoneField}"`);
	return {
		itemIndex,
		phone,
		entry: { at: dateField ? dateOf(json[dateField], `Opted Out At Field "${dateField}"`) : new Date().toISOString(), source: 'import' },
	};
}

/** One batched store call for every valid request; one result per request, in order. */
async function runPeople(
	store: OptOutStore,
	list: OptOutList,
	operation: Exclude<Operation, 'list'>,
	requests: PersonRequest[],
): Promise<IDataObject[]> {
	const phones = requests.map((request) => request.phone);
	if (operation === 'check') {
		const entries = await store.lookup(list, phones);
		return requests.map(({ phone }, index) => ({ phone, optedOut: Boolean(entries[index]), ...entries[index] }));
	}
	if (operation === 'remove') {
		const removed = await store.remove(list, phones);
		return requests.map(({ phone }, index) => ({ phone, optedOut: false, action: removed[index] ? 'opted_in' : 'was_not_opted_out' }));
	}
	const existing = await store.add(list, requests);
	return requests.map(({ phone, entry }, index) => ({
		phone,
		optedOut: true,
		action: existing[index] ? 'already_opted_out' : 'opted_out',
		...(existing[index] ?? entry),
	}));
}

async function listItems(context: IExecuteFunctions, store: OptOutStore, list: OptOutList, itemIndex: number): Promise<IDataObject[]> {
	const returnAll = context.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const wanted = returnAll ? Infinity : Number(context.getNodeParameter('limit', itemIndex, 50));
	const offset = Number(context.getNodeParameter('offset', itemIndex, 0));
	if (!(Number.isInteger(offset) && offset >= 0))
		throw invalidInput(
			'Offset',
			offset,
			'is not a whole number of 0 or more',
			'Enter 0 for the first page, then the previous offset plus the limit',
		);
	const rows: IDataObject[] = [];
	while (rows.length < wanted) {
		const page = await store.page(list, offset + rows.length, Math.min(PAGE_SIZE, wanted - rows.length));
		rows.push(...page.items.map((item) => ({ ...item }) as IDataObject));
		if (!page.items.length || offset + rows.length >= page.total) break;
	}
	return rows;
}

/**
 * The Opt-Out resource. Every item is read first (a bad phone number fails its item before the list changes);
 * then Add, Import, Check and Remove change or read the list in one batch, List reads it page by page.
 */
export async function execute(context: IExecuteFunctions, channel: Channel): Promise<INodeExecutionData[]> {
	const operation = context.getNodeParameter('operation', 0) as Operation;
	const items = context.getInputData();
	const fail = (itemIndex: number, error: unknown): IDataObject => {
		if (!context.continueOnFail()) throw toNodeError(context.getNode(), error, itemIndex);
		return errorItemJson(error);
	};
	const list = { backend: channel.backend, senderId: channel.senderId };
	const results: IDataObject[][] = items.map(() => []);
	const requests: PersonRequest[] = [];
	if (operation !== 'list') {
		items.forEach((_, itemIndex) => {
			try {
				requests.push(personRequest(context, operation, itemIndex));
			} catch (error) {
				results[itemIndex] = [fail(itemIndex, error)];
			}
		});
	}
	// Without the store nothing can be done for any item: like a send, the node fails (Redis unreachable).
	const store = await stateStoreFor(context).catch((error) => {
		throw toNodeError(context.getNode(), error, 0);
	});
	try {
		if (operation === 'list') {
			for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
				results[itemIndex] = await listItems(context, store.optOuts, list, itemIndex).catch((error) => [fail(itemIndex, error)]);
			}
		} else if (requests.length) {
			const done = await runPeople(store.optOuts, list, operation, requests).catch((error) =>
				requests.map(({ itemIndex }) => fail(itemIndex, error)),
			);
			requests.forEach(({ itemIndex }, index) => (results[itemIndex] = [done[index]]));
		}
	} finally {
		await store.close();
	}
	return results.flatMap((jsons, itemIndex) => jsons.map((json) => ({ json, pairedItem: { item: itemIndex } })));
}
