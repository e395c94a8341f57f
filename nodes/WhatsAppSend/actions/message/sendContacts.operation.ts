import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { ItemParameters } from '../../../whatsapp/n8n/itemParameters';
import type { ContactCard, OutboundMessage } from '../../../whatsapp/message';
import { collection } from './collection';
import { show } from './displayOptions';

export const description: INodeProperties[] = [
	{
		displayName: 'Contacts',
		name: 'contacts',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Contact',
		displayOptions: show(['sendContacts']),
		options: [
			{
				displayName: 'Contact',
				name: 'contact',
				values: [
					{
						displayName: 'Company',
						name: 'company',
						type: 'string',
						default: '',
					},
					{
						displayName: 'Email',
						name: 'email',
						type: 'string',
						placeholder: 'name@email.com',
						default: '',
					},
					{
						displayName: 'First Name',
						name: 'firstName',
						type: 'string',
						default: '',
					},
					{
						displayName: 'Full Name',
						name: 'formattedName',
						type: 'string',
						default: '',
						required: true,
					},
					{
						displayName: 'Last Name',
						name: 'lastName',
						type: 'string',
						default: '',
					},
					{
						displayName: 'Phone',
						name: 'phone',
						type: 'string',
						default: '',
					},
					{
						displayName: 'Phone Type',
						name: 'phoneType',
						type: 'options',
						options: [
							{
								name: 'Cell',
								value: 'CELL',
							},
							{
								name: 'Home',
								value: 'HOME',
							},
							{
								name: 'Work',
								value: 'WORK',
							},
						],
						default: 'CELL',
					},
					{
						displayName: 'Website',
						name: 'url',
						type: 'string',
						default: '',
					},
				],
			},
		],
	},
];

function contactCard(contact: IDataObject): ContactCard {
	const value = (key: string) => (contact[key] ? String(contact[key]) : undefined);
	const phone = value('phone');
	const email = value('email');
	const url = value('url');
	const company = value('company');
	return {
		name: { formatted_name: value('formattedName') ?? '', first_name: value('firstName'), last_name: value('lastName') },
		...(phone && { phones: [{ phone, type: value('phoneType') }] }),
		...(email && { emails: [{ email }] }),
		...(url && { urls: [{ url }] }),
		...(company && { org: { company } }),
	};
}

export function read(parameters: ItemParameters, itemIndex: number): OutboundMessage {
	return { type: 'contacts', contacts: collection(parameters, 'contacts', 'contact', itemIndex).map(contactCard) };
}
