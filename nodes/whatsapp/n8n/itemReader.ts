import type { IExecuteFunctions, IGetNodeParameterOptions } from 'n8n-workflow';
import { itemParameters } from './itemParameters';

/** One item's node parameters; those without an expression are read once per execution (itemParameters.ts). */
export interface ItemReader {
	value(name: string, fallback?: unknown, options?: IGetNodeParameterOptions): unknown;
	text(name: string): string;
	/** The text trimmed, or undefined when it is empty. */
	optionalText(name: string): string | undefined;
}

export function itemReader(context: IExecuteFunctions, itemIndex: number): ItemReader {
	const parameters = itemParameters(context);
	return {
		value: (name, fallback, options) => parameters.get(name, itemIndex, fallback, options),
		text: (name) => parameters.text(name, itemIndex),
		optionalText: (name) => parameters.text(name, itemIndex).trim() || undefined,
	};
}
