import type { INodeProperties } from 'n8n-workflow';
import type { ItemParameters } from '../../../whatsapp/n8n/itemParameters';
import type { OutboundMessage } from '../../../whatsapp/message';
import { show } from './displayOptions';

export const description: INodeProperties[] = [
	{
		displayName: 'Latitude',
		name: 'latitude',
		type: 'number',
		typeOptions: { numberPrecision: 6 },
		default: 0,
		required: true,
		displayOptions: show(['sendLocation']),
	},
	{
		displayName: 'Longitude',
		name: 'longitude',
		type: 'number',
		typeOptions: { numberPrecision: 6 },
		default: 0,
		required: true,
		displayOptions: show(['sendLocation']),
	},
	{ displayName: 'Place Name', name: 'locationName', type: 'string', default: '', displayOptions: show(['sendLocation']) },
	{ displayName: 'Address', name: 'address', type: 'string', default: '', displayOptions: show(['sendLocation']) },
];

export function read(parameters: ItemParameters, itemIndex: number): OutboundMessage {
	return {
		type: 'location',
		latitude: Number(parameters.get('latitude', itemIndex)),
		longitude: Number(parameters.get('longitude', itemIndex)),
		name: parameters.optionalText('locationName', itemIndex),
		address: parameters.optionalText('address', itemIndex),
	};
}
