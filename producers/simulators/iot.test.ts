import { dailyCycle } from './diurnal';
import { createSimulator } from './index';
import type { DeviceRecord, IotReading, Sensor } from './iot';
import { HOUR, MONDAY, eventsOf, labelsOf, run, schemaProblems, within, type Label } from './testing/run';

const READINGS = 'iot.readings';

function byDevice(readings: readonly IotReading[]): Map<string, IotReading[]> {
  const map = new Map<string, IotReading[]>();
  for (const r of readings) {
    const list = map.get(r.device_id) ?? [];
    list.push(r);
    map.set(r.device_id, list);
  }
  return map;
}

describe('iot simulator, normal readings', () => {
  const simulator = createSimulator('iot', { seed: 3, anomalyRate: 0 });
  const devices = new Map(simulator.referenceData().map((r) => [r.key, r.value as DeviceRecord]));
  const records = run(simulator, MONDAY + 6 * HOUR, 2 * HOUR, 5000);
  const readings = eventsOf<IotReading>(records, READINGS);
  const perDevice = byDevice(readings);

  test('produces thousands of records, all valid against iot-reading.avsc', () => {
    expect(readings.length).toBeGreaterThan(30_000);
    expect(schemaProblems(records)).toEqual([]);
    expect(
      records.every(
        (r) =>
          r.topic === READINGS &&
          r.key === (r.value as IotReading).device_id &&
          r.timestamp === (r.value as IotReading).ts,
      ),
    ).toBe(true);
  });

  test('reference data: 50 devices on 5 sites keyed by device id, and every reading names its device and site', () => {
    const reference = simulator.referenceData();
    expect(schemaProblems(reference)).toEqual([]);
    expect(reference.every((r) => r.topic === 'ref.devices' && r.key === (r.value as DeviceRecord).device_id)).toBe(
      true,
    );
    expect(devices.size).toBe(50);
    expect(new Set([...devices.values()].map((d) => d.site_id)).size).toBe(5);
    for (const d of devices.values()) expect(d.temperature_min_c).toBeLessThan(d.temperature_max_c);
    expect(readings.every((r) => devices.get(r.device_id)?.site_id === r.site_id)).toBe(true);
  });

  test('each device reports every intervalMs', () => {
    expect(perDevice.size).toBe(50);
    for (const list of perDevice.values()) {
      expect(list.length).toBeGreaterThanOrEqual(719);
      expect(list.every((r, i) => i === 0 || r.ts - (list[i - 1] as IotReading).ts === 10_000)).toBe(true);
    }
  });

  test('without anomalies every value is present and inside the device thresholds', () => {
    const outside = readings.filter((r) => {
      const d = devices.get(r.device_id) as DeviceRecord;
      const t = r.temperature_c as number;
      return (
        r.temperature_c === null ||
        r.humidity_pct === null ||
        r.pressure_hpa === null ||
        t < d.temperature_min_c ||
        t > d.temperature_max_c ||
        (r.humidity_pct as number) > d.humidity_max_pct
      );
    });
    expect(outside).toEqual([]);
    expect(readings.every((r) => (r.pressure_hpa as number) > 985 && (r.pressure_hpa as number) < 1042)).toBe(true);
    expect(readings.every((r) => r.battery_pct > 0 && r.battery_pct <= 100)).toBe(true);
  });

  test('batteries run down', () => {
    for (const list of perDevice.values()) {
      const first = (list[0] as IotReading).battery_pct;
      const last = (list[list.length - 1] as IotReading).battery_pct;
      if (last < first + 50) expect(last).toBeLessThan(first); // unless swapped on the way
    }
  });

  test('temperature follows a daily cycle in local solar time (warmest mid-afternoon)', () => {
    const day = eventsOf<IotReading>(
      run(
        createSimulator('iot', { seed: 3, anomalyRate: 0, devices: 8, sites: 4, intervalMs: 120_000 }),
        MONDAY,
        24 * HOUR,
        60_000,
      ),
      READINGS,
    );
    const reference = new Map(
      createSimulator('iot', { seed: 3, anomalyRate: 0, devices: 8, sites: 4, intervalMs: 120_000 })
        .referenceData()
        .map((r) => [r.key, r.value as DeviceRecord]),
    );
    for (const [id, list] of byDevice(day)) {
      const lon = (reference.get(id) as DeviceRecord).lon;
      const xs = list.map((r) => dailyCycle(r.ts, lon, 15));
      const ys = list.map((r) => r.temperature_c as number);
      const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
      const my = ys.reduce((a, b) => a + b, 0) / ys.length;
      const cov = xs.reduce((a, x, i) => a + (x - mx) * ((ys[i] as number) - my), 0);
      const sx = Math.sqrt(xs.reduce((a, x) => a + (x - mx) ** 2, 0));
      const sy = Math.sqrt(ys.reduce((a, y) => a + (y - my) ** 2, 0));
      expect(cov / (sx * sy)).toBeGreaterThan(0.8);
    }
  });
});

describe('iot simulator, anomalies agree with their labels', () => {
  // The same seed with and without anomalies: the devices draw the same numbers either way, so the
  // difference between the two runs is exactly what the anomalies did.
  const options = { seed: 8, devices: 40, sites: 4 };
  const start = MONDAY + 10 * HOUR;
  const records = run(createSimulator('iot', { ...options, anomalyRate: 40 }), start, 5 * HOUR, 7000);
  const baseline = run(createSimulator('iot', { ...options, anomalyRate: 0 }), start, 5 * HOUR, 7000);
  const devices = new Map(
    createSimulator('iot', options)
      .referenceData()
      .map((r) => [r.key, r.value as DeviceRecord]),
  );
  const labels = labelsOf(records);
  const readings = eventsOf<IotReading>(records, READINGS);
  const expected = new Map(eventsOf<IotReading>(baseline, READINGS).map((r) => [`${r.device_id}@${r.ts}`, r]));
  const perDevice = byDevice(readings);
  const basePerDevice = byDevice([...expected.values()]);
  // Labels whose span ends within the run (the others are cut off by its end).
  const ofKind = (kind: string) => {
    const found = labels.filter((l) => l.kind === kind && l.end_ts <= start + 5 * HOUR);
    expect(found.length).toBeGreaterThanOrEqual(5);
    return found;
  };
  const inSpan = (label: Label) => within(perDevice.get(label.key) ?? [], label.start_ts, label.end_ts);
  const baseInSpan = (label: Label) => within(basePerDevice.get(label.key) ?? [], label.start_ts, label.end_ts);

  test('records and labels are valid; one label per anomaly, of every kind', () => {
    expect(schemaProblems(records)).toEqual([]);
    expect(new Set(labels.map((l) => l.label_id)).size).toBe(labels.length);
    for (const kind of ['spike', 'stuck_sensor', 'dropped_sensor', 'drift'])
      expect(ofKind(kind).length).toBeGreaterThanOrEqual(8);
    for (const label of labels) {
      expect(label.source).toBe('iot');
      expect(label.details.key_field).toBe('device_id');
      expect(devices.has(label.key)).toBe(true);
    }
  });

  test('outside the labelled spans every reading is exactly what it would have been without anomalies', () => {
    const spans = labels.map((l) => [l.key, l.start_ts, l.end_ts] as const);
    const differing = readings.filter(
      (r) => JSON.stringify(r) !== JSON.stringify(expected.get(`${r.device_id}@${r.ts}`)),
    );
    const unexplained = differing.filter(
      (r) => !spans.some(([key, a, b]) => key === r.device_id && r.ts >= a && r.ts <= b),
    );
    expect(differing.length).toBeGreaterThan(1000);
    expect(unexplained).toEqual([]);
  });

  test('spike: every reading in the span is over the device threshold for the sensor', () => {
    for (const label of ofKind('spike')) {
      const sensor = label.details.sensor as Sensor;
      const device = devices.get(label.key) as DeviceRecord;
      const threshold = sensor === 'temperature_c' ? device.temperature_max_c : device.humidity_max_pct;
      expect(label.details.threshold).toBe(threshold);
      const span = inSpan(label);
      expect(span).toHaveLength(label.details.readings as number);
      expect(span.every((r) => (r[sensor] as number) > threshold)).toBe(true);
      expect(baseInSpan(label).every((r) => (r[sensor] as number) <= threshold)).toBe(true);
    }
  });

  test('stuck_sensor: the sensor repeats one value over the span while it would have varied', () => {
    for (const label of ofKind('stuck_sensor')) {
      const sensor = label.details.sensor as Sensor;
      const span = inSpan(label);
      expect(span.length).toBe(label.details.readings);
      expect(span.length).toBeGreaterThanOrEqual(3);
      expect(new Set(span.map((r) => r[sensor])).size).toBe(1);
      expect(new Set(baseInSpan(label).map((r) => r[sensor])).size).toBeGreaterThan(1);
    }
  });

  test('dropped_sensor: no readings at all, or null values of the sensor, over the span', () => {
    const modes = new Set<unknown>();
    for (const label of ofKind('dropped_sensor')) {
      modes.add(label.details.mode);
      expect(baseInSpan(label)).toHaveLength(label.details.readings as number);
      if (label.details.mode === 'no_readings') {
        expect(inSpan(label)).toEqual([]);
        // The device reports again right after the span.
        expect(within(perDevice.get(label.key) ?? [], label.end_ts + 1, label.end_ts + 10_000)).toHaveLength(1);
      } else {
        const sensor = label.details.sensor as Sensor;
        const span = inSpan(label);
        expect(span).toHaveLength(label.details.readings as number);
        expect(span.every((r) => r[sensor] === null)).toBe(true);
      }
    }
    expect([...modes].sort()).toEqual(['no_readings', 'null_values']);
  });

  test('drift: the sensor moves away from where it would have been, linearly up to the labelled offset', () => {
    for (const label of ofKind('drift')) {
      const sensor = label.details.sensor as Sensor;
      const span = inSpan(label);
      const base = baseInSpan(label);
      expect(span).toHaveLength(base.length);
      const diff = span.map((r, i) => (r[sensor] as number) - ((base[i] as IotReading)[sensor] as number));
      expect(Math.abs(diff[0] as number)).toBeLessThan(0.11);
      // At the end of the span, the full offset.
      expect(diff[diff.length - 1]).toBeCloseTo(label.details.offset as number, 0);
      const half = diff[Math.floor(diff.length / 2)] as number;
      expect(
        Math.abs(
          half -
            ((label.details.offset as number) *
              ((span[Math.floor(diff.length / 2)] as IotReading).ts - label.start_ts)) /
              (label.end_ts - label.start_ts),
        ),
      ).toBeLessThan(0.11);
    }
  });
});
