/**
 * Both state stores (MemoryStore, and RedisStore against a real Redis) driven through the ledger entries' state
 * machine (LEDGER_TRANSITIONS): a claim from every state (the step the stores refuse), and every other row as the
 * segment writes it.
 */
import { MemoryStore } from '../../nodes/whatsapp/store/memory';
import { RedisStore } from '../../nodes/whatsapp/store/redis';
import {
	LEDGER_TRANSITIONS,
	type LedgerEntry,
	type LedgerEvent,
	type LedgerState,
	ledgerState,
	type StateStore,
} from '../../nodes/whatsapp/store/types';
import { type TestRedis, startRedis, uniquePrefix } from '../harness/redis';

let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => await redis.stop());

const TTL = 3600;
const CLAIM_SECONDS = 300;
const RECIPIENT = '4915123456789';
const at = new Date().toISOString();

/** An entry in each state; a lapsed claim ended a minute ago, a live one ends in an hour (Redis's clock and ours agree). */
const ENTRIES: Record<Exclude<LedgerState, 'none'>, () => LedgerEntry> = {
	claimed: () => ({ status: 'claimed', at, until: Date.now() + 3_600_000 }),
	lapsed: () => ({ status: 'claimed', at, until: Date.now() - 60_000 }),
	sending: () => ({ status: 'sending', at }),
	sent: () => ({ status: 'sent', at, messageId: 'wamid.1' }),
	failed: () => ({ status: 'failed', at, reason: 'daily quota reached' }),
};

/** What the segment writes for each step after its claim (`ambiguous`: nothing, the entry stays). */
const WRITES: Record<Exclude<LedgerEvent, 'claim'>, LedgerEntry | undefined> = {
	request: { status: 'sending', at },
	accepted: { status: 'sent', at, messageId: 'wamid.2' },
	giveBack: { status: 'failed', at, reason: 'not sent: the execution was stopped' },
	ambiguous: undefined,
};

const STATES = Object.keys(LEDGER_TRANSITIONS) as LedgerState[];
const CLAIMS = STATES.map((from) => ({
	from,
	to: LEDGER_TRANSITIONS[from].claim,
	name: `${from}, claim → ${LEDGER_TRANSITIONS[from].claim ?? 'refused'}`,
}));
const WRITTEN = STATES.flatMap((from) =>
	(Object.entries(LEDGER_TRANSITIONS[from]) as Array<[LedgerEvent, LedgerState]>)
		.filter(([event]) => event !== 'claim')
		.map(([event, to]) => ({ from, event: event as Exclude<LedgerEvent, 'claim'>, to })),
);

describe.each([
	[
		'RedisStore',
		async () => {
			const { hostname, port } = new URL(redis.url);
			return (await RedisStore.connect({ host: hostname, port: Number(port), keyPrefix: uniquePrefix() })) as StateStore;
		},
	],
	['MemoryStore', async () => new MemoryStore() as StateStore],
])('%s keeps the ledger state machine', (_, connect) => {
	let store: StateStore;
	beforeEach(async () => {
		store = await connect();
	});
	afterEach(() => store.close());

	async function enter(from: LedgerState): Promise<void> {
		if (from !== 'none') await store.recordOutcome('ledger', RECIPIENT, ENTRIES[from](), TTL);
	}

	const stateNow = async () => ledgerState((await store.ledgerEntries('ledger', [RECIPIENT]))[0], Date.now());

	it.each(CLAIMS)('$name', async ({ from, to }) => {
		await enter(from);
		const [blocking] = await store.claimRecipients('ledger', [RECIPIENT], TTL, CLAIM_SECONDS);

		expect({ claimed: blocking === undefined, state: await stateNow() }).toEqual({ claimed: to !== undefined, state: to ?? from });
	});

	it.each(WRITTEN)('$from, $event → $to', async ({ from, event, to }) => {
		await enter(from);
		const entry = WRITES[event];
		if (entry) await store.recordOutcome('ledger', RECIPIENT, entry, TTL);

		expect(await stateNow()).toBe(to);
	});
});
