import type { IExecuteFunctions, IGetNodeParameterOptions } from 'n8n-workflow';

/** Whether a raw node parameter (as saved in the workflow) holds an n8n expression anywhere inside it. */
function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (value && typeof value === 'object') return Object.values(value).some(holdsExpression);
	return false;
}

/** The raw value at a parameter path such as `templateParameters.value`. */
function rawParameter(context: IExecuteFunctions, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>(
			(value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
			context.getNode().parameters,
		);
}

/**
 * A node's parameters for its items: a parameter without an expression is the same for every item, so it is read
 * from n8n once per execution instead of once per item (n8n copies and checks each value it hands out). Values
 * are shared between items: callers must not change them.
 */
export class ItemParameters {
	private readonly constants = new Map<string, unknown>();
	/** Parameters found to hold an expression: read from n8n for every item without looking again. */
	private readonly perItem = new Set<string>();

	constructor(readonly context: IExecuteFunctions) {}

	get(name: string, itemIndex: number, fallback?: unknown, options?: IGetNodeParameterOptions): unknown {
		const key = options ? `${name} ${JSON.stringify(options)}` : name;
		if (this.constants.has(key)) return this.constants.get(key);
		const value = this.context.getNodeParameter(name, itemIndex, fallback, options);
		if (this.perItem.has(name)) return value;
		if (holdsExpression(rawParameter(this.context, name))) this.perItem.add(name);
		else this.constants.set(key, value);
		return value;
	}

	text(name: string, itemIndex: number): string {
		return String(this.get(name, itemIndex, '') ?? '');
	}

	/** The trimmed text, undefined when empty. */
	optionalText(name: string, itemIndex: number): string | undefined {
		return this.text(name, itemIndex).trim() || undefined;
	}
}

const perExecution = new WeakMap<IExecuteFunctions, ItemParameters>();

/** The parameters of the node in this execution context (one context per node and execution). */
export function itemParameters(context: IExecuteFunctions): ItemParameters {
	let parameters = perExecution.get(context);
	if (!parameters) {
		parameters = new ItemParameters(context);
		perExecution.set(context, parameters);
	}
	return parameters;
}
