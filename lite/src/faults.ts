/**
 * Fault injection for the crash tests: `LITE_FAULT=<step>[:<n>]` kills this process with SIGKILL the n-th time
 * (default: first) the code passes `crashPoint(step)`. Only the sandbox driver reads it (see loadConfig), so a
 * production gateway never does. Steps: `enqueue` (a campaign request queued, before its answer), `reserved` (a send's
 * quota unit reserved, before its pace slot or hand-off), `claim` (a
 * receiver claimed, nothing handed off), `handoff` (recorded as handed off, before the driver has it), `send`
 * (the driver took the message, before its outcome is journaled), `outcome` (journaled, before Redis has it); the
 * relay's `relay-recorded` (a Meta delivery in the outbox, before Meta's answer) and `relay-delivered` (a
 * subscriber answered 2xx, before the outbox forgets the delivery).
 */
export const FAULT_STEPS = ['enqueue', 'reserved', 'claim', 'handoff', 'send', 'outcome', 'relay-recorded', 'relay-delivered'] as const;
export type FaultStep = (typeof FAULT_STEPS)[number];

let armed: { step: FaultStep; remaining: number; action: () => void } | undefined;

const killThisProcess = (): void => {
	process.kill(process.pid, 'SIGKILL');
};

/** Parses LITE_FAULT; throws for an unknown step so a mistyped test does not silently pass. */
export function parseFault(raw: string | undefined): { step: FaultStep; nth: number } | undefined {
	if (!raw) return undefined;
	const [step, nth = '1'] = raw.split(':');
	if (!FAULT_STEPS.includes(step as FaultStep) || !(Number(nth) >= 1))
		throw new Error(`LITE_FAULT="${raw}" must be <step>[:<n>] with step one of ${FAULT_STEPS.join(', ')}`);
	return { step: step as FaultStep, nth: Number(nth) };
}

/** `action`: what happens at the step (in-process tests stop their Redis there instead). */
export function armFault(fault: { step: FaultStep; nth: number } | undefined, action: () => void = killThisProcess): void {
	armed = fault && { step: fault.step, remaining: fault.nth, action };
}

export function crashPoint(step: FaultStep): void {
	if (armed?.step !== step || --armed.remaining > 0) return;
	const { action } = armed;
	armed = undefined;
	action();
}
