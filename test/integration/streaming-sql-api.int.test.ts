/**
 * The public API job of sql/ on hand-made records shaped as the ingestors write them: air quality per
 * city and pollutant per hour, the congestion ratio currentSpeed/freeFlowSpeed per road segment per 15
 * minutes, and price moves per symbol per hour, each to the expected numbers once the watermark (2 hours
 * behind for air quality, 1 minute for traffic and quotes) has passed the window.
 */
import { SqlTestbed } from './sql-testbed';

const bed = new SqlTestbed();
const { topics } = bed;
/** Six hours ago, on the hour. */
const t0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 6 * 3_600_000;
const MIN = 60_000;

beforeAll(() => bed.setUp());
afterAll(() => bed.tearDown());

const air = (minutes: number, sensor: string, locality: string | null, value: number) => ({
  key: sensor,
  value: bed.encode('airQuality', {
    source: 'openaq',
    ts: t0 + minutes * MIN,
    ingest_ts: t0 + minutes * MIN,
    sensor_id: sensor,
    location_id: `loc-${sensor}`,
    location_name: `Station ${sensor}`,
    locality,
    country: 'NL',
    provider: 'RIVM',
    parameter: 'pm25',
    display_name: 'PM2.5',
    units: 'µg/m³',
    value,
    lat: 52.1,
    lon: 5.1,
  }),
});
const flow = (minutes: number, segment: string, current: number, freeFlow: number, closed = false) => ({
  key: segment,
  value: bed.encode('traffic', {
    source: 'tomtom',
    ts: t0 + minutes * MIN,
    ingest_ts: t0 + minutes * MIN,
    segment_id: segment,
    origin: null,
    destination: null,
    lat: 52.37,
    lon: 4.9,
    current_speed_kmh: current,
    free_flow_speed_kmh: freeFlow,
    current_travel_time_s: 600 * (freeFlow / current),
    free_flow_travel_time_s: 600,
    distance_m: 10_000,
    confidence: 1,
    road_closure: closed,
    road_class: 'FRC2',
  }),
});
const quote = (minutes: number, symbol: string, price: number) => ({
  key: symbol,
  value: bed.encode('quotes', {
    source: 'yahoo',
    ts: t0 + minutes * MIN,
    ingest_ts: t0 + minutes * MIN,
    symbol,
    price,
    open: null,
    high: null,
    low: null,
    previous_close: null,
    change: null,
    change_pct: null,
    volume: null,
    trading_day: null,
    currency: 'USD',
    exchange: 'NMS',
  }),
});

test('air quality per city, congestion per segment, price moves per symbol', async () => {
  const deployed = await bed.sluice(
    'deploy-pipeline',
    '--spec',
    bed.writeSpec({ windows: bed.copySql('300-api-windows.sql') }),
  );
  expect(deployed.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(deployed.code).toBe(0);

  const producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic: topics.airQuality,
    acks: -1,
    messages: [
      air(5, 's1', 'Amsterdam', 10),
      air(20, 's2', 'Amsterdam', 20),
      air(30, 's1', 'Amsterdam', 30),
      air(40, 's3', null, 7),
      air(190, 's1', 'Amsterdam', 5), // 3 h 10 min: the watermark (2 h behind) passes the first hour
    ],
  });
  await producer.send({
    topic: topics.traffic,
    acks: -1,
    messages: [
      flow(1, 'A10-west', 50, 100),
      flow(6, 'A10-west', 100, 100),
      flow(11, 'A10-west', 30, 100, true),
      flow(12, 'A2', 90, 90),
      flow(17, 'A10-west', 100, 100), // the watermark (1 min behind) passes t0+15 min
    ],
  });
  await producer.send({
    topic: topics.quotes,
    acks: -1,
    messages: [
      quote(5, 'IBM', 200),
      quote(20, 'IBM', 220),
      quote(40, 'IBM', 190),
      quote(55, 'IBM', 210),
      quote(62, 'IBM', 211),
    ],
  });
  await producer.disconnect();

  const airQuality = (await bed.readCommitted(topics.airQuality1h, 2)).sort((a, b) =>
    String(a.city).localeCompare(String(b.city)),
  );
  expect(
    airQuality.map((w) => [
      ((w.window_start as number) - t0) / MIN,
      w.city,
      w.parameter,
      w.units,
      w.measurements,
      w.sensors,
      w.value_avg,
      w.value_min,
      w.value_max,
    ]),
  ).toEqual([
    [0, 'Amsterdam', 'pm25', 'µg/m³', 3, 2, 20, 10, 30],
    [0, 'Station s3', 'pm25', 'µg/m³', 1, 1, 7, 7, 7], // no locality: the station's name
  ]);

  const traffic = (await bed.readCommitted(topics.traffic15m, 2)).sort((a, b) =>
    String(a.segment_id).localeCompare(String(b.segment_id)),
  );
  expect(
    traffic.map((w) => [w.segment_id, w.samples, w.congestion_ratio_min, w.current_speed_avg_kmh, w.closures]),
  ).toEqual([
    ['A10-west', 3, 0.3, 60, 1],
    ['A2', 1, 1, 90, 0],
  ]);
  expect(traffic[0]!.congestion_ratio_avg as number).toBeCloseTo(0.6, 9);
  expect(traffic[0]!.delay_avg_s as number).toBeCloseTo((1200 - 600 + 0 + (2000 - 600)) / 3, 6);

  const moves = await bed.readCommitted(topics.priceMoves1h, 1);
  expect(moves.map((w) => [w.symbol, w.quotes, w.price_first, w.price_last, w.price_min, w.price_max])).toEqual([
    ['IBM', 4, 200, 210, 190, 220],
  ]);
  expect(moves[0]!.move_pct as number).toBeCloseTo(5, 9);
  expect(moves[0]!.range_pct as number).toBeCloseTo(15, 9);
});
