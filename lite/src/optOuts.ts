import { optedOutReason, optOutListKey, parseOptOutEntry } from '../../contract/optOuts';
import type { Kv } from './store/kv';

/**
 * The suit's opt-out list, as the nodes keep it in the shared Redis (docs/opt-outs.md): campaign receivers on it
 * are refused at the hand-off and skipped if they opt out while queued. Without REDIS_URL the gateway has no list
 * (the nodes keep theirs in n8n's memory and skip those people before the hand-off).
 */
export class OptOutGate {
	private readonly key: string;

	constructor(
		private readonly kv: Kv,
		suitId: string,
		keyPrefix: string,
	) {
		this.key = optOutListKey('lite', suitId, keyPrefix);
	}

	/** Per recipient: why it is refused (`opted out on 2026-05-01 ("STOP")`), or undefined. One read for all. */
	async refusals(recipients: string[]): Promise<Array<string | undefined>> {
		if (!recipients.length) return [];
		const entries = (await this.kv.hmget(this.key, recipients)).map(parseOptOutEntry);
		return entries.map((entry) => entry && optedOutReason(entry));
	}
}
