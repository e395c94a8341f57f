import type { RedisClient } from './types';
import type { ExpiringEntries } from './reportsMemory';

/**
 * Templates Meta paused or disabled, as the WhatsApp Trigger heard it (`message_template_status_update`) or a send
 * learned it (errors 132015, 132016), so that every running Cloud segment sending such a template stops, in any
 * execution or n8n worker (delivery/templateHealth.ts).
 *
 * Keys: `wa_automator:template_halt:{template ID}` → `{"status","reason","name","language","at"}` for HALT_TTL_SECONDS.
 */
export interface TemplateHalt {
	/** PAUSED or DISABLED, as Meta says it. */
	status: string;
	reason?: string;
	name?: string;
	language?: string;
	/** When it was recorded (epoch milliseconds): a listing read later that shows the template APPROVED overrides it. */
	at: number;
}

/**
 * A disabled template stays disabled, and a paused one is unpaused within days (Meta's pauses last 3 or 6 hours, a
 * third one disables): a month bounds the key without forgetting a halt a running campaign still needs.
 */
export const HALT_TTL_SECONDS = 30 * 24 * 60 * 60;

export interface TemplateHealth {
	/** Records that Meta halted a template, or (undefined) that it is approved again. */
	record(templateId: string, halt: TemplateHalt | undefined): Promise<void>;
	/** Per template ID: its halt, or undefined. */
	halts(templateIds: string[]): Promise<Array<TemplateHalt | undefined>>;
}

export const templateHaltKey = (templateId: string) => `wa_automator:template_halt:${templateId}`;

/** In this process's memory (bounded with the memory store's other entries). */
export class MemoryTemplateHealth implements TemplateHealth {
	constructor(private readonly entries: ExpiringEntries & { remove(key: string): void }) {}

	async record(templateId: string, halt: TemplateHalt | undefined) {
		if (halt) this.entries.write(templateHaltKey(templateId), halt, HALT_TTL_SECONDS);
		else this.entries.remove(templateHaltKey(templateId));
	}

	async halts(templateIds: string[]) {
		return templateIds.map((id) => this.entries.read<TemplateHalt>(templateHaltKey(id)));
	}
}

export class RedisTemplateHealth implements TemplateHealth {
	constructor(
		private readonly client: RedisClient,
		private readonly run: <T>(operation: () => Promise<T>) => Promise<T>,
	) {}

	async record(templateId: string, halt: TemplateHalt | undefined) {
		const key = templateHaltKey(templateId);
		if (halt) await this.run(() => this.client.set(key, JSON.stringify(halt), 'EX', HALT_TTL_SECONDS));
		else await this.run(() => this.client.del(key));
	}

	async halts(templateIds: string[]) {
		if (!templateIds.length) return [];
		const stored = await this.run(() => this.client.mget(templateIds.map(templateHaltKey)));
		return stored.map((value) => (value ? (JSON.parse(value) as TemplateHalt) : undefined));
	}
}
