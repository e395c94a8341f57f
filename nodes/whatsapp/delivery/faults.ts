/**
 * Fault injection for the delivery engine's crash and outage tests: the engine calls the installed hook at each
 * step where a fault changes what is known about a recipient. Nothing is installed in production.
 */
export type FaultPoint =
	/** The ledger claim is taken; no request has left. */
	| 'claimed'
	/** The ledger says a request may leave; it leaves right after. */
	| 'requesting'
	/** The backend accepted the message; the ledger does not know yet. */
	| 'accepted';

export type FaultHook = (point: FaultPoint, recipient: string) => Promise<void> | void;

let installed: FaultHook | undefined;

/** Installs (or with nothing, removes) the hook; for tests only. */
export function installFaultHook(hook?: FaultHook): void {
	installed = hook;
}

export async function injectFault(point: FaultPoint, recipient: string): Promise<void> {
	await installed?.(point, recipient);
}
