'use strict';
/**
 * Tiny stand-ins for the two n8n core nodes of the example workflows, so the demo can run the very workflow file
 * users import (examples/segment-send.lite.json) without installing all of n8n. They are registered under the
 * real type names and keep their contract only as far as these workflows use it:
 *
 * - Schedule Trigger: in n8n it fires on its schedule; here it fires once, right away ("run now"), with one item
 *   carrying the time the way the real trigger does.
 * - Code (JavaScript, "Run Once for All Items"): runs the node's own jsCode with `$input` and `items`. n8n runs it
 *   in its sandboxed task runner; here it runs in this process, which is fine for the example's own code only.
 *
 * Sticky notes are documentation and never execute: the demo leaves them out.
 */
const { NodeConnectionTypes } = require('n8n-workflow');

class ScheduleTriggerStandIn {
	description = {
		displayName: 'Schedule Trigger (demo stand-in: fires once, now)',
		name: 'scheduleTrigger',
		group: ['trigger', 'schedule'],
		version: [1, 1.1, 1.2],
		description: 'Fires once when the workflow runs',
		defaults: { name: 'Schedule Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Rule', name: 'rule', type: 'json', default: {} }],
	};

	async execute() {
		const now = new Date();
		const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
		return [
			[
				{
					json: {
						timestamp: now.toISOString(),
						'Readable date': now.toLocaleString('en-GB', { timeZone: timezone }),
						'Day of week': now.toLocaleDateString('en-GB', { weekday: 'long' }),
						Timezone: timezone,
					},
				},
			],
		];
	}
}

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;

class CodeStandIn {
	description = {
		displayName: 'Code (demo stand-in: JavaScript, run once for all items)',
		name: 'code',
		group: ['transform'],
		version: [1, 2],
		description: 'Runs the JavaScript of the node in this process',
		defaults: { name: 'Code' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Mode', name: 'mode', type: 'string', default: 'runOnceForAllItems' },
			{ displayName: 'Language', name: 'language', type: 'string', default: 'javaScript' },
			{ displayName: 'JavaScript', name: 'jsCode', type: 'string', default: '' },
		],
	};

	async execute() {
		const mode = this.getNodeParameter('mode', 0);
		const language = this.getNodeParameter('language', 0);
		if (mode !== 'runOnceForAllItems' || language !== 'javaScript') {
			throw new Error(`The demo's Code stand-in runs JavaScript "Run Once for All Items" only, not ${language} ${mode}`);
		}
		const items = this.getInputData();
		const $input = { all: () => items, first: () => items[0], last: () => items[items.length - 1] };
		const returned = await new AsyncFunction('$input', 'items', this.getNodeParameter('jsCode', 0))($input, items);
		if (!Array.isArray(returned)) throw new Error('Code node: return an array of items, e.g. [{ json: { … } }]');
		return [
			returned.map((item, index) => ({
				json: item && typeof item.json === 'object' ? item.json : item,
				pairedItem: { item: Math.min(index, items.length - 1) },
			})),
		];
	}
}

module.exports = { ScheduleTriggerStandIn, CodeStandIn };
