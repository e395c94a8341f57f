import { DepartureWindow, RATE_HEADROOM, SLOT_LEAD_MS, waitForSlot } from '../../nodes/whatsapp/delivery/pace';

/**
 * A clock the test moves: `sleep(ms)` advances it by what the scenario says a timer really took (early or late
 * wake-ups, as Node's timers give under load), and `reserve` books slots the way the store does.
 */
function clockScenario(wakeAfter: (asked: number, call: number) => number, slots: number[]) {
	let now = 1_000_000;
	const asked: number[] = [];
	const booked: number[] = [];
	/** When the step before leaving (the ledger's "sending") ran. */
	const markedAt: number[] = [];
	return {
		now: () => now,
		beforeLeaving: async () => {
			markedAt.push(now);
		},
		sleep: async (ms: number) => {
			asked.push(ms);
			now += wakeAfter(ms, asked.length);
		},
		reserve: async () => {
			const slot = now + slots[booked.length];
			booked.push(slot);
			return slot;
		},
		asked,
		booked,
		markedAt,
		/** Lets a store round trip take this long (`beforeLeaving` then ends that much later). */
		slowStore(ms: number) {
			this.beforeLeaving = async () => {
				markedAt.push(now);
				now += ms;
			};
		},
	};
}

const TOLERANCE_MS = 1000 * (1 - RATE_HEADROOM);

test('a timer that fires before the slot is followed by another sleep: the send never leaves early', async () => {
	const clock = clockScenario((asked) => Math.max(1, Math.floor(asked / 3)), [50]);

	await waitForSlot(clock.reserve, clock.sleep, clock.beforeLeaving, SLOT_LEAD_MS, clock.now);

	expect(clock.now()).toBeGreaterThanOrEqual(clock.booked[0]);
	expect(clock.asked.length).toBeGreaterThan(1);
	expect(clock.booked).toHaveLength(1);
});

test('a send woken within the headroom after its slot leaves on that slot', async () => {
	const clock = clockScenario((asked) => asked + TOLERANCE_MS, [20]);

	await waitForSlot(clock.reserve, clock.sleep, clock.beforeLeaving, SLOT_LEAD_MS, clock.now);

	expect(clock.booked).toHaveLength(1);
});

test('a send woken later than the headroom (a stall) books a new slot instead of joining the burst, once', async () => {
	// Every wake-up is 200 ms late: the second slot is late too, and the send then leaves rather than waiting forever.
	const clock = clockScenario((asked) => asked + 200, [20, 40, 60]);

	await waitForSlot(clock.reserve, clock.sleep, clock.beforeLeaving, SLOT_LEAD_MS, clock.now);

	expect(clock.booked).toHaveLength(2);
	expect(clock.now()).toBeGreaterThanOrEqual(clock.booked[1]);
});

test('a slot already passed when booked (the pace is idle) is taken at once, without sleeping', async () => {
	const clock = clockScenario(() => 0, [0]);

	await waitForSlot(clock.reserve, clock.sleep, clock.beforeLeaving, SLOT_LEAD_MS, clock.now);

	expect(clock.asked).toEqual([]);
	expect(clock.booked).toHaveLength(1);
});

test('the send is recorded as leaving shortly before its slot, once, and leaves on the slot', async () => {
	const clock = clockScenario((asked) => asked, [100]);

	await waitForSlot(clock.reserve, clock.sleep, clock.beforeLeaving, SLOT_LEAD_MS, clock.now);

	expect(clock.markedAt).toEqual([clock.booked[0] - SLOT_LEAD_MS]);
	expect(clock.now()).toBe(clock.booked[0]);
});

test('with no lead (a process-local store) the send is recorded at its slot, after one sleep, and leaves on it', async () => {
	const clock = clockScenario((asked) => asked, [100]);

	await waitForSlot(clock.reserve, clock.sleep, clock.beforeLeaving, 0, clock.now);

	expect(clock.asked).toEqual([100]);
	expect(clock.markedAt).toEqual([clock.booked[0]]);
	expect(clock.now()).toBe(clock.booked[0]);
});

test('a store round trip before leaving that makes the send late books a new slot, and records the send once', async () => {
	const clock = clockScenario((asked) => asked, [100, 40]);
	clock.slowStore(SLOT_LEAD_MS + TOLERANCE_MS + 10);

	await waitForSlot(clock.reserve, clock.sleep, clock.beforeLeaving, SLOT_LEAD_MS, clock.now);

	expect(clock.booked).toHaveLength(2);
	expect(clock.markedAt).toHaveLength(1);
	expect(clock.now()).toBe(clock.booked[1]);
});

describe('DepartureWindow', () => {
	/** Departures at the times a test's clock gives; waiting moves the clock by what the window asked. */
	function windowWithClock() {
		let now = 5_000;
		const left: number[] = [];
		const window = new DepartureWindow();
		return {
			left,
			at: (time: number) => (now = time),
			leave: (limit: number) => {
				for (let wait = window.leave(limit, now); wait > 0; wait = window.leave(limit, now)) now += wait;
				left.push(now);
			},
		};
	}

	test('sends that reach it together after a stall leave no more than the limit within any one second', () => {
		const clock = windowWithClock();
		for (let i = 0; i < 5; i++) clock.leave(5);
		clock.at(5_300);
		for (let i = 0; i < 7; i++) clock.leave(5);

		expect(clock.left).toEqual([5_000, 5_000, 5_000, 5_000, 5_000, 6_000, 6_000, 6_000, 6_000, 6_000, 7_000, 7_000]);
	});

	test('a send with room leaves at once', () => {
		const clock = windowWithClock();
		clock.leave(3);
		clock.at(5_999);
		clock.leave(2);
		clock.at(6_000);
		clock.leave(2);

		expect(clock.left).toEqual([5_000, 5_999, 6_000]);
	});
});
