import type { MetaTemplate } from '../channel/cloudTemplates';
import { showValue } from '../../../contract/errors';
import type { TemplateButtonParameter } from '../message';
import type { PlaceholderValue } from './localized';
import { type Placeholder, templateError } from './metaTemplate';

type FlowButton = Extract<TemplateButtonParameter, { subType: 'flow' }>;

/** Meta's limit on the JSON of a Flow's initial data is not documented; this bounds what one item can put in a request. */
const FLOW_DATA_MAX_CHARACTERS = 10_000;

function asObject(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch {
		// Not JSON: reported below as not an object, with the value.
		return value;
	}
}

/** A Flow button's initial data: an object (or its JSON text) for the Flow's first screen, kept as JSON text. */
export function flowDataValue(template: MetaTemplate, placeholder: Placeholder, value: unknown): PlaceholderValue {
	const data = asObject(value);
	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		throw templateError(
			template,
			placeholder.id,
			`placeholder ${placeholder.label} value ${showValue(value)} is not an object`,
			'Map an object with the data of the Flow\'s first screen, e.g. {{ { "order_id": $json.orderId } }}',
		);
	}
	const text = JSON.stringify(data);
	if (text.length > FLOW_DATA_MAX_CHARACTERS) {
		throw templateError(
			template,
			placeholder.id,
			`placeholder ${placeholder.label} is ${text.length} characters of JSON, more than the ${FLOW_DATA_MAX_CHARACTERS} this node sends`,
			'Send the Flow only the data its first screen shows; let the Flow fetch the rest from your endpoint',
		);
	}
	return { text };
}

/** A Flow button's parameter with one more of its values (token or data) added. */
export function withFlowValue(button: FlowButton | undefined, placeholder: Placeholder, text: string): FlowButton {
	const flow: FlowButton = button ?? { index: placeholder.buttonIndex ?? 0, subType: 'flow' };
	return placeholder.source === 'flowToken'
		? { ...flow, flowToken: text }
		: { ...flow, flowActionData: JSON.parse(text) as Record<string, unknown> };
}
