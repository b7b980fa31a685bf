import type { AccountRecord, FinancialTransaction } from './finance';
import { COUNTRIES, PER_EUR, countryOf, distanceKm } from './geo';
import { createSimulator } from './index';
import { HOUR, MINUTE, MONDAY, eventsOf, labelsOf, median, run, schemaProblems, within } from './testing/run';

const TRANSACTIONS = 'finance.transactions';

describe('finance simulator, normal transactions', () => {
  const simulator = createSimulator('finance', { seed: 4, anomalyRate: 0 });
  const accounts = new Map(simulator.referenceData().map((r) => [r.key, r.value as AccountRecord]));
  const records = run(simulator, MONDAY + 12 * HOUR, HOUR);
  const transactions = eventsOf<FinancialTransaction>(records, TRANSACTIONS);
  const share = (predicate: (t: FinancialTransaction) => boolean) =>
    transactions.filter(predicate).length / transactions.length;

  test('produces thousands of records, all valid against financial-transaction.avsc, keyed by account', () => {
    expect(transactions.length).toBeGreaterThan(30_000);
    expect(schemaProblems(records)).toEqual([]);
    expect(
      records.every(
        (r) =>
          r.topic === TRANSACTIONS &&
          r.key === (r.value as FinancialTransaction).account_id &&
          r.timestamp === (r.value as FinancialTransaction).ts,
      ),
    ).toBe(true);
  });

  test('reference data: 5000 accounts keyed by account id; every transaction names a known account', () => {
    const reference = simulator.referenceData();
    expect(reference).toHaveLength(5000);
    expect(schemaProblems(reference)).toEqual([]);
    expect(reference.every((r) => r.topic === 'ref.accounts' && r.key === (r.value as AccountRecord).account_id)).toBe(
      true,
    );
    const risk = [...accounts.values()].filter((a) => a.risk_level === 'high').length / accounts.size;
    expect(risk).toBeGreaterThan(0.02);
    expect(risk).toBeLessThan(0.08);
    // Some customers have two accounts.
    expect(new Set([...accounts.values()].map((a) => a.customer_id)).size).toBeLessThan(accounts.size);
    expect(transactions.every((t) => accounts.has(t.account_id))).toBe(true);
  });

  test('geography: customers pay in their home country, near a city of it, in its currency unless buying online abroad', () => {
    const wrong = transactions.filter((t) => {
      const home = countryOf((accounts.get(t.account_id) as AccountRecord).home_country);
      const city = home.cities.find((c) => c.name === t.city);
      return (
        t.country !== home.code ||
        !city ||
        distanceKm(t, city) > 10 ||
        (t.channel !== 'online' && t.currency !== home.currency)
      );
    });
    expect(wrong).toEqual([]);
    expect(share((t) => t.channel === 'online' && t.currency !== countryOf(t.country).currency)).toBeGreaterThan(0.01);
  });

  test('amounts are log-normal per category (median of groceries about 32 EUR) and cash comes in round sums', () => {
    const groceriesEur = transactions
      .filter((t) => t.merchant_category === 'grocery')
      .map((t) => t.amount / PER_EUR[t.currency]);
    expect(median(groceriesEur) / 32).toBeCloseTo(1, 1);
    const logs = groceriesEur.map(Math.log);
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, x) => a + (x - mean) ** 2, 0) / logs.length);
    expect(sd).toBeCloseTo(0.7, 1);
    expect(
      transactions.filter((t) => t.channel === 'atm').every((t) => t.amount % (t.currency === 'JPY' ? 1000 : 10) === 0),
    ).toBe(true);
    expect(transactions.filter((t) => t.currency === 'JPY').every((t) => Number.isInteger(t.amount))).toBe(true);
    expect(
      median(transactions.filter((t) => t.merchant_category === 'travel').map((t) => t.amount / PER_EUR[t.currency])),
    ).toBeGreaterThan(200);
  });

  test('channels: mostly card at a terminal, then online, few cash withdrawals and transfers', () => {
    expect(share((t) => t.channel === 'card_present')).toBeCloseTo(0.55, 1);
    expect(share((t) => t.channel === 'online')).toBeCloseTo(0.3, 1);
    expect(share((t) => t.channel === 'atm')).toBeLessThan(0.12);
    expect(share((t) => t.channel === 'transfer')).toBeLessThan(0.12);
    expect(new Set(transactions.map((t) => t.country)).size).toBe(COUNTRIES.length);
  });

  test('diurnal: far more payments at midday than at night', () => {
    const hour = (h: number) =>
      eventsOf(
        run(createSimulator('finance', { seed: 4, anomalyRate: 0, eventsPerSecond: 5 }), MONDAY + h * HOUR, HOUR),
        TRANSACTIONS,
      ).length;
    expect(hour(12) / hour(3)).toBeGreaterThan(8);
  });
});

describe('finance simulator, fraud anomalies agree with their labels', () => {
  const start = MONDAY + 10 * HOUR;
  const anomalous = (kind: string) => {
    const records = run(
      createSimulator('finance', { seed: 6, anomalyRate: 30, anomalyKinds: [kind], eventsPerSecond: 3 }),
      start,
      2 * HOUR,
      2000,
    );
    const transactions = eventsOf<FinancialTransaction>(records, TRANSACTIONS);
    const labels = labelsOf(records).filter((l) => l.end_ts <= start + 2 * HOUR);
    expect(schemaProblems(records)).toEqual([]);
    expect(labels.length).toBeGreaterThanOrEqual(20);
    for (const label of labels)
      expect(label).toMatchObject({
        source: 'finance',
        kind,
        details: expect.objectContaining({ key_field: 'account_id' }),
      });
    const ofAccount = (id: string) => transactions.filter((t) => t.account_id === id);
    return { labels, ofAccount };
  };

  test('card_testing: several tiny online payments, then one large purchase, on the labelled account within minutes', () => {
    const { labels, ofAccount } = anomalous('card_testing');
    for (const label of labels) {
      const span = within(ofAccount(label.key), label.start_ts, label.end_ts);
      const smallMax = label.details.small_max as number;
      const small = span.filter((t) => t.amount <= smallMax && t.channel === 'online');
      expect(small.length).toBeGreaterThanOrEqual(label.details.small_count as number);
      expect(label.details.small_count).toBeGreaterThanOrEqual(3);
      expect(span[0]?.ts).toBe(label.start_ts);
      const last = span[span.length - 1] as FinancialTransaction;
      expect(last.ts).toBe(label.end_ts);
      expect(last.amount).toBe(label.details.large_amount);
      expect(last.channel).toBe('online');
      expect(last.amount).toBeGreaterThan(100 * Math.max(...small.map((t) => t.amount)));
      expect(small.every((t) => t.ts < last.ts)).toBe(true);
      expect(last.amount / PER_EUR[last.currency]).toBeGreaterThanOrEqual(800);
      expect(label.end_ts - label.start_ts).toBeLessThan(10 * MINUTE);
    }
  });

  test('velocity: many payments on the labelled account within a few minutes, far above its usual rate', () => {
    const { labels, ofAccount } = anomalous('velocity');
    for (const label of labels) {
      const all = ofAccount(label.key);
      const span = within(all, label.start_ts, label.end_ts);
      expect(span.length).toBeGreaterThanOrEqual(label.details.count as number);
      expect(label.details.count).toBeGreaterThanOrEqual(15);
      expect(label.end_ts - label.start_ts).toBeLessThanOrEqual(8 * MINUTE);
      // Per minute, at least ten times the account's rate over the rest of the run.
      const perMinute = span.length / Math.max(1, (label.end_ts - label.start_ts) / MINUTE);
      const usual = (all.length - span.length) / (2 * 60);
      expect(perMinute).toBeGreaterThan(10 * usual);
    }
  });

  test('impossible_travel: a card payment at home, then one thousands of km away, faster than any plane', () => {
    const { labels, ofAccount } = anomalous('impossible_travel');
    for (const label of labels) {
      const all = ofAccount(label.key);
      const first = all.find((t) => t.ts === label.start_ts) as FinancialTransaction;
      const second = all.find((t) => t.ts === label.end_ts) as FinancialTransaction;
      expect(first.channel).toBe('card_present');
      expect(second.channel).toBe('card_present');
      expect([first.country, second.country]).toEqual([label.details.from_country, label.details.to_country]);
      expect(first.country).not.toBe(second.country);
      const km = distanceKm(first, second);
      expect(km).toBeGreaterThanOrEqual(3000);
      expect(km / ((second.ts - first.ts) / HOUR)).toBeGreaterThan(1000);
      expect(second.ts - first.ts).toBeLessThanOrEqual(HOUR);
      // The account is abroad only in that one payment.
      expect(all.filter((t) => t.country !== first.country)).toEqual([second]);
    }
  });
});
