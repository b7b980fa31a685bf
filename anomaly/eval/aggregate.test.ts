import {
  FINANCE_ACCOUNT_5M,
  IOT_DEVICE_1M,
  WEB_PATH_1M,
  WindowAggregator,
  percentile,
  stddevPop,
  windowStarts,
} from './aggregate';

const T0 = Date.UTC(2025, 0, 6, 12);

describe('the SQL functions', () => {
  test('PERCENTILE interpolates between the two nearest ranks; STDDEV_POP divides by n', () => {
    expect(percentile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8, 10); // position 3.8
    expect(percentile([10], 0.95)).toBe(10);
    expect(percentile([], 0.5)).toBeNull();
    expect(stddevPop([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
  });

  test('a tumbling window holds an event once; a 5-minute window sliding by 1 minute holds it five times', () => {
    expect(windowStarts(T0 + 30_000, 60_000, 60_000)).toEqual([T0]);
    expect(windowStarts(T0 + 30_000, 300_000, 60_000)).toEqual([
      T0 - 240_000,
      T0 - 180_000,
      T0 - 120_000,
      T0 - 60_000,
      T0,
    ]);
    expect(windowStarts(T0, 300_000, 60_000)).toHaveLength(5);
  });
});

describe('WindowAggregator', () => {
  test('agg.iot.device-1m: per device and minute, invalid readings left out, nulls skipped by AVG but counted', () => {
    const agg = new WindowAggregator(IOT_DEVICE_1M);
    const reading = (s: number, device: string, temperature_c: number | null, humidity_pct = 50) => ({
      ts: T0 + s * 1000,
      device_id: device,
      site_id: 'site-01',
      temperature_c,
      humidity_pct,
      pressure_hpa: 1013,
      battery_pct: 80 - s / 100,
    });
    for (const r of [
      reading(0, 'd1', 20),
      reading(10, 'd1', 22),
      reading(20, 'd1', null),
      reading(30, 'd1', 200),
      reading(40, 'd2', 5),
      reading(65, 'd1', 21),
    ])
      agg.add(r, r.ts);
    // The watermark is 65 − 5 = 60 s: the first minute has closed, the second has not.
    const rows = agg.close();
    expect(rows.map((r) => [r.key, r.windowStart, r.windowEnd])).toEqual([
      ['d1', T0, T0 + 60_000],
      ['d2', T0, T0 + 60_000],
    ]);
    expect(rows[0]!.metrics).toMatchObject({
      readings: 3,
      temperature_avg: 21,
      temperature_min: 20,
      temperature_max: 22,
      temperature_stddev: 1,
      humidity_avg: 50,
    });
    expect(rows[0]!.group).toEqual({ device_id: 'd1', site_id: 'site-01' });
    expect(agg.close(T0 + 200_000).map((r) => r.metrics.readings)).toEqual([1]);
  });

  test('agg.web.path-1m counts 5xx and their share', () => {
    const agg = new WindowAggregator(WEB_PATH_1M);
    [200, 503, 500, 404].forEach((status, i) =>
      agg.add({ ts: T0 + i, path: '/cart', status, response_time_ms: 10 * (i + 1) }, T0 + i),
    );
    const [row] = agg.close(T0 + 60_000);
    expect(row!.metrics).toMatchObject({
      requests: 4,
      server_errors: 2,
      error_ratio: 0.5,
      latency_avg_ms: 25,
      latency_max_ms: 40,
    });
  });

  test('agg.finance.account-5m: per account and currency, every minute over the last five', () => {
    const agg = new WindowAggregator(FINANCE_ACCOUNT_5M);
    agg.add({ account_id: 'a', currency: 'EUR', amount: 10 }, T0 + 1000);
    agg.add({ account_id: 'a', currency: 'EUR', amount: 30 }, T0 + 61_000);
    agg.add({ account_id: 'a', currency: 'GBP', amount: 5 }, T0 + 62_000);
    const rows = agg.close(T0 + 10 * 60_000);
    const eur = rows.filter((r) => r.group.currency === 'EUR');
    expect(eur).toHaveLength(6);
    expect(eur.map((r) => r.metrics.transactions)).toEqual([1, 2, 2, 2, 2, 1]); // windows from T0 − 4 min to T0 + 1 min
    expect(eur[4]!.metrics).toMatchObject({ amount_total: 40, amount_avg: 20 });
    expect(rows.filter((r) => r.group.currency === 'GBP')).toHaveLength(5);
    expect(rows.every((r) => r.key === 'a')).toBe(true);
  });
});
