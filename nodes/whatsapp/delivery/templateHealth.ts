import type { WhatsAppError } from '../../../contract/errors';
import type { Envelope, TemplateMessage } from '../message';
import type { TemplateHalt, TemplateHealth } from '../store/templateHealth';
import type { SendGuard } from './segment';
import { causeOf, type Logger } from '../../../contract/log';

/** Meta's answers to a send of a template it paused (132015) or disabled (132016). */
const HALTED_BY_CODE: Record<number, string> = { 132015: 'PAUSED', 132016: 'DISABLED' };

/** The review statuses after which Meta refuses every send of the template, and those that lift a halt. */
const HALTING_STATUSES = ['PAUSED', 'DISABLED'];
const LIFTING_STATUSES = ['APPROVED', 'REINSTATED'];

/** What the trigger heard: a template's review status changed (`message_template_status_update`). */
export interface TemplateStatusChange {
	id: string;
	status: string;
	name?: string;
	language?: string;
	reason?: string;
}

/**
 * Records a status change that halts a template (PAUSED, DISABLED) or lifts a halt (APPROVED, REINSTATED); other
 * statuses (FLAGGED, PENDING_DELETION …) leave sending as it is. Repeating it changes nothing that matters.
 */
export async function recordTemplateStatus(health: TemplateHealth, change: TemplateStatusChange, now = Date.now()): Promise<void> {
	const status = change.status.toUpperCase();
	if (HALTING_STATUSES.includes(status)) {
		const { name, language, reason } = change;
		await health.record(change.id, { status, at: now, ...(name && { name }), ...(language && { language }), ...(reason && { reason }) });
	} else if (LIFTING_STATUSES.includes(status)) {
		await health.record(change.id, undefined);
	}
}

/** The reason a recipient of a halted template is skipped with, for the result item and the campaign report. */
export function haltReason(message: Pick<TemplateMessage, 'name' | 'language'>, halt: TemplateHalt): string {
	const verb = halt.status === 'DISABLED' ? 'disabled' : 'paused';
	return (
		`not sent: Meta ${verb} the template "${message.name}" (${message.language})${halt.reason ? `: ${halt.reason}` : ''}; ` +
		`run the campaign again (same Campaign ID) once Meta approves it, and only the rest is sent`
	);
}

const templateOf = (envelope: Envelope) =>
	envelope.message.type === 'template' && envelope.message.approved
		? { ...envelope.message, approved: envelope.message.approved }
		: undefined;

/**
 * Stops a segment's sends of a template Meta paused or disabled, whichever execution, worker or trigger learned it:
 * each send asks the store (concurrent asks share one read) until a halt is known, then every further send of the
 * template is skipped without asking. A halt recorded before this execution listed the template as APPROVED was
 * lifted since, and is ignored. A send refused with 132015/132016 records the halt for everyone.
 */
export function templateHealthGuard(health: TemplateHealth, log: Logger): SendGuard {
	const known = new Map<string, TemplateHalt>();
	const reading = new Map<string, Promise<TemplateHalt | undefined>>();

	const read = (templateId: string): Promise<TemplateHalt | undefined> => {
		let pending = reading.get(templateId);
		if (!pending) {
			pending = health.halts([templateId]).then(([halt]) => halt);
			reading.set(templateId, pending);
			// A failed read reaches whoever awaits `pending`; this chain only forgets it.
			void pending.finally(() => reading.delete(templateId)).catch(() => undefined);
		}
		return pending;
	};

	return {
		async blocked(envelope) {
			const template = templateOf(envelope);
			if (!template) return undefined;
			const { templateId, listedAt } = template.approved;
			let halt = known.get(templateId);
			if (!halt) {
				const stored = await read(templateId);
				if (!stored || stored.at < listedAt) return undefined;
				halt = stored;
				known.set(templateId, halt);
			}
			return haltReason(template, halt);
		},

		async refused(envelope, error: WhatsAppError) {
			const template = templateOf(envelope);
			const status = typeof error.code === 'number' ? HALTED_BY_CODE[error.code] : undefined;
			if (!template || !status) return;
			const { templateId, listedAt } = template.approved;
			let halt: TemplateHalt = {
				status,
				reason: `a send got error ${error.code}`,
				name: template.name,
				language: template.language,
				at: Date.now(),
			};
			try {
				// The trigger's record says more (Meta's reason): kept when there is one.
				const stored = await read(templateId);
				if (stored && stored.at >= listedAt) halt = stored;
				else await health.record(templateId, halt);
			} catch (error) {
				// This segment stops either way (below); when the store cannot take it, other segments learn it from their own refusal.
				log.warn('WhatsApp could not record a paused template for other executions', { templateId, ...causeOf(error) });
			}
			if (!known.has(templateId)) known.set(templateId, halt);
		},
	};
}
