/**
 * The finance jobs of sql/ on hand-made transactions: each transaction carries its account's customer and
 * risk level, an unknown account is flagged, not lost; card testing (three or more small payments, then
 * a large one, within ten minutes) fires once, and its near misses (two small then large; small then
 * medium; a large one too late) do not; the windows per account and per merchant hold the numbers.
 */
import { SqlTestbed } from './sql-testbed';

const bed = new SqlTestbed();
const { topics } = bed;
const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;

beforeAll(() => bed.setUp());
afterAll(() => bed.tearDown());

test('transactions are enriched with their account, unknown accounts flagged; card testing fires once and not on its near misses', async () => {
  const producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic: topics.accounts,
    acks: -1,
    messages: ['acc-1', 'acc-2', 'acc-3', 'acc-4'].map((a) =>
      bed.account(a, a === 'acc-1' ? 'high' : 'low', t0 - 60_000),
    ),
  });

  const deployed = await bed.sluice(
    'deploy-pipeline',
    '--spec',
    bed.writeSpec({
      'finance-enriched': bed.copySql('150-finance-enriched.sql'),
      'card-testing': bed.copySql('160-card-testing.sql'),
      windows: bed.copySql('180-finance-windows.sql'),
    }),
  );
  expect(deployed.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(deployed.code).toBe(0);

  const payments: Array<[string, number, number]> = [
    ['acc-1', 10, 1.5],
    ['acc-1', 20, 2],
    ['acc-1', 30, 0.99],
    ['acc-1', 40, 900], // card testing
    ['acc-2', 10, 1],
    ['acc-2', 20, 2],
    ['acc-2', 30, 800], // near miss: only two small ones
    ['acc-3', 10, 1],
    ['acc-3', 20, 2],
    ['acc-3', 30, 3],
    ['acc-3', 40, 120], // near miss: not large
    ['acc-4', 10, 1],
    ['acc-4', 20, 2],
    ['acc-4', 30, 3],
    ['acc-4', 700, 999], // near miss: large one after 10 minutes
    ['acc-x', 50, 42], // an account the reference data does not know
  ];
  // In event-time order: a payment more than 5 s behind the newest one would be late, and rejected.
  const inTimeOrder = [...payments].sort((a, b) => a[1] - b[1]);
  await producer.send({
    topic: topics.transactions,
    acks: -1,
    messages: inTimeOrder.map(([a, s, amount]) => bed.transaction(t0, a, s, amount)),
  });
  await new Promise((r) => setTimeout(r, 3000));
  await producer.send({ topic: topics.transactions, acks: -1, messages: [bed.transaction(t0, 'acc-9', 900, 10)] });
  await producer.disconnect();

  // Every payment above; the last one (acc-9) only moved the watermark and waits for a later one.
  const enriched = await bed.readCommitted(topics.enrichedFinance, payments.length);
  expect(enriched.map((e) => [e.account_id, ((e.ts as number) - t0) / 1000]).sort()).toEqual(
    payments.map(([a, s]) => [a, s]).sort(),
  );
  for (const e of enriched) {
    if (e.account_id === 'acc-x')
      expect(e).toMatchObject({ account_known: false, customer_id: null, risk_level: null });
    else
      expect(e).toMatchObject({
        account_known: true,
        customer_id: `cus-${e.account_id as string}`,
        risk_level: e.account_id === 'acc-1' ? 'high' : 'low',
        home_country: 'NL',
      });
  }

  // Hopping windows of five minutes every minute: acc-1's four payments (t0+10 s … t0+40 s) are in the
  // five windows that start at t0-4 min … t0, each with the same statistics.
  // In all, 28 windows have closed: five for each account's first minute, three for acc-4's payment at 700 s
  // (the windows ending after the watermark, t0+895 s, are still open).
  const hopping = await bed.readCommitted(topics.account5m, 28);
  expect(hopping).toHaveLength(28);
  const acc1 = hopping.filter((w) => w.account_id === 'acc-1');
  expect(acc1.map((w) => ((w.window_start as number) - t0) / 60_000).sort((a, b) => a - b)).toEqual([
    -4, -3, -2, -1, 0,
  ]);
  for (const w of acc1) {
    expect(w).toMatchObject({ currency: 'EUR', transactions: 4, amount_min: 0.99, amount_max: 900 });
    expect(w.amount_total as number).toBeCloseTo(904.49, 9);
    expect(w.amount_avg as number).toBeCloseTo(904.49 / 4, 9);
    expect(w.amount_p95 as number).toBeCloseTo(2 + 0.85 * 898, 9); // sorted 0.99, 1.5, 2, 900: position 2.85
  }

  // One-minute windows: per account, minute 0 for each of the five accounts and acc-4's minute 11; per
  // merchant (every payment went to mrc-00001), minute 0 with all fifteen and minute 11 with one.
  const perAccount = await bed.readCommitted(topics.account1m, 6);
  expect(
    perAccount.map((w) => [w.account_id, ((w.window_start as number) - t0) / 60_000, w.transactions]).sort(),
  ).toEqual([
    ['acc-1', 0, 4],
    ['acc-2', 0, 3],
    ['acc-3', 0, 4],
    ['acc-4', 0, 3],
    ['acc-4', 11, 1],
    ['acc-x', 0, 1],
  ]);
  const perMerchant = (await bed.readCommitted(topics.merchant1m, 2)).sort(
    (a, b) => (a.window_start as number) - (b.window_start as number),
  );
  expect(
    perMerchant.map((w) => [
      w.merchant_id,
      ((w.window_start as number) - t0) / 60_000,
      w.transactions,
      w.accounts,
      w.amount_min,
      w.amount_max,
    ]),
  ).toEqual([
    ['mrc-00001', 0, 15, 5, 0.99, 900],
    ['mrc-00001', 11, 1, 1, 999, 999],
  ]);
  expect(perMerchant[0]!.amount_total as number).toBeCloseTo(1881.49, 9);

  const matches = await bed.readCommitted(topics.cardTesting, 1);
  expect(
    matches.map((m) => ({
      account: m.account_id,
      first: ((m.first_ts as number) - t0) / 1000,
      large: ((m.large_ts as number) - t0) / 1000,
      small: m.small_count,
      total: m.small_total,
      amount: m.large_amount,
    })),
  ).toEqual([{ account: 'acc-1', first: 10, large: 40, small: 3, total: 4.49, amount: 900 }]);
});
