import { QUOTA_TTL_SECONDS, quotaKey, quotaResetAt, type QuotaReservation } from '../../contract/quota';
import { causeOf, type Logger } from '../../contract/log';
import type { Kv } from './store/kv';

export interface Reservation extends QuotaReservation {
	/** The day's key it was taken from, so a release after midnight gives it back to the right day. */
	key: string;
}

/** Releases kept while Redis cannot take them; past this many the oldest is dropped (its day's key expires anyway). */
const MAX_OWED = 10_000;

/**
 * The suit's daily quota, with the key and script the nodes use. A unit reserved for a send that then did not happen
 * is given back; when Redis cannot take the release (the outage that stopped the send), it is kept and given back
 * before the next reservation or count, so no unit stays charged for a message that was never sent.
 */
export class QuotaGate {
	private readonly owed: Array<{ key: string; count: number }> = [];
	/** One settling at a time, so no owed release is given back twice. */
	private settling?: Promise<void>;

	constructor(
		private readonly kv: Kv,
		private readonly suitId: string,
		readonly limit: number,
		private readonly keyPrefix: string,
		private readonly log: Logger,
		private readonly now: () => Date = () => new Date(),
	) {}

	async reserve(count = 1): Promise<Reservation> {
		await this.settleOwed();
		const now = this.now();
		const key = quotaKey(this.suitId, now, this.keyPrefix);
		const grant = await this.kv.reserveQuota(key, this.limit, QUOTA_TTL_SECONDS, count);
		return { ...grant, limit: this.limit, resetAt: quotaResetAt(now), key };
	}

	/** Gives the units back now, or once Redis answers again (never throws). */
	async release(reservation: Reservation, count = 1): Promise<void> {
		this.owed.push({ key: reservation.key, count });
		if (this.owed.length > MAX_OWED) this.owed.shift();
		// Redis unreachable: the release stays owed and the next reserve or count gives it back.
		await this.settleOwed().catch((error: unknown) =>
			this.log.warn('Quota release owed: Redis did not take it; it is given back before the next reservation', {
				owed: this.owed.length,
				...causeOf(error),
			}),
		);
	}

	private settleOwed(): Promise<void> {
		this.settling ??= this.releaseOwed().finally(() => (this.settling = undefined));
		return this.settling;
	}

	private async releaseOwed(): Promise<void> {
		while (this.owed.length) {
			const { key, count } = this.owed[0];
			await this.kv.releaseQuota(key, count);
			this.owed.shift();
		}
	}

	async used(): Promise<number> {
		await this.settleOwed();
		return Number((await this.kv.get(quotaKey(this.suitId, this.now(), this.keyPrefix))) ?? 0);
	}

	/** Today's count as the campaign route shows it. */
	async state(): Promise<{ used: number; limit: number; resetAt: string }> {
		return { used: await this.used(), limit: this.limit, resetAt: quotaResetAt(this.now()).toISOString() };
	}
}
