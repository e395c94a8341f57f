import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Redis scripts live in `.lua` files beside the module that runs them (shared ones in contract/redis/), read once
 * per process and registered on each client with ioredis's `defineCommand`: a call then runs by SHA (EVALSHA) and
 * ioredis sends the text again only where Redis answers NOSCRIPT (a restarted server, each node of a Cluster).
 *
 * Every key a script touches is one of its KEYS, never built inside it, so a Redis Cluster can route the call and
 * refuse (CROSSSLOT) keys that do not share a hash tag.
 */

/** What of an ioredis client (a single `Redis` or a `Cluster`) registering a script needs. */
export interface ScriptHost {
	defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
}

/** A script's arguments: its keys first, then its values. */
export type ScriptCall = (...keysThenArgs: Array<string | number>) => Promise<unknown>;

/**
 * How many keys a script takes: a fixed count, or `'first argument'` when the caller gives the count as the call's
 * first argument (a script over a variable list of keys).
 */
export type KeyCount = number | 'first argument';

const texts = new Map<string, string>();

/** The text of `<dir>/<name>.lua`, read from disk the first time it is asked for. */
export function scriptText(dir: string, name: string): string {
	const path = join(dir, `${name}.lua`);
	let text = texts.get(path);
	if (text === undefined) {
		text = readFileSync(path, 'utf8');
		texts.set(path, text);
	}
	return text;
}

/**
 * Registers each `<dir>/<name>.lua` on the client as `waAutomator_<name>` and answers a call for each. `prelude`
 * names files of `dir` (helpers several scripts share) that go before each script's own text.
 */
export function defineScripts<Name extends string>(
	client: ScriptHost,
	dir: string,
	scripts: Record<Name, KeyCount>,
	prelude: string[] = [],
): Record<Name, ScriptCall> {
	const calls = {} as Record<Name, ScriptCall>;
	for (const [name, keys] of Object.entries(scripts) as Array<[Name, KeyCount]>) {
		const command = `waAutomator_${name}`;
		const lua = [...prelude, name].map((file) => scriptText(dir, file)).join('\n');
		client.defineCommand(command, { lua, ...(typeof keys === 'number' && { numberOfKeys: keys }) });
		calls[name] = (...args) => (client as unknown as Record<string, ScriptCall>)[command](...args);
	}
	return calls;
}
