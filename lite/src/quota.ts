import { QUOTA_TTL_SECONDS, quotaKey, quotaResetAt, type QuotaReservation } from '../../nodes/whatsapp/quota';
import type { Kv } from './store/kv';

export interface Reservation extends QuotaReservation {
	/** The day's key it was taken from, so a release after midnight gives it back to the right day. */
	key: string;
}

/** The suit's daily quota, with the key and script the nodes use. */
export class QuotaGate {
	constructor(
		private readonly kv: Kv,
		private readonly suitId: string,
		readonly limit: number,
		private readonly keyPrefix: string,
		private readonly now: () => Date = () => new Date(),
	) {}

	async reserve(count = 1): Promise<Reservation> {
		const now = this.now();
		const key = quotaKey(this.suitId, now, this.keyPrefix);
		const [granted, used] = await this.kv.reserveQuota(key, this.limit, QUOTA_TTL_SECONDS, count);
		return { granted, used, limit: this.limit, resetAt: quotaResetAt(now), key };
	}

	async release(reservation: Reservation, count = 1): Promise<void> {
		await this.kv.releaseQuota(reservation.key, count);
	}

	async used(): Promise<number> {
		return Number((await this.kv.get(quotaKey(this.suitId, this.now(), this.keyPrefix))) ?? 0);
	}

	/** Today's count as the campaign route shows it. */
	async state(): Promise<{ used: number; limit: number; resetAt: string }> {
		return { used: await this.used(), limit: this.limit, resetAt: quotaResetAt(this.now()).toISOString() };
	}
}
