import type { IDataObject } from 'n8n-workflow';
import type { ItemParameters } from '../../../whatsapp/n8n/itemParameters';

/** The entries of a fixedCollection parameter, e.g. the `contact` entries of Contacts. */
export function collection(parameters: ItemParameters, name: string, entry: string, itemIndex: number): IDataObject[] {
	const value = parameters.get(name, itemIndex, {}) as IDataObject;
	return (value?.[entry] as IDataObject[] | undefined) ?? [];
}
