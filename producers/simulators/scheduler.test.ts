import { trafficOptions } from '../run-simulation';
import { createSimulator } from './index';
import { Random } from './random';
import { Scheduler, SteadyTraffic, type Process } from './scheduler';
import { SIMULATOR_TOPICS } from './topics';
import type { SimulatedRecord } from './types';

const T0 = Date.UTC(2026, 0, 5, 3, 30); // 03:30 UTC, where the daily curves are lowest

describe('SteadyTraffic', () => {
  test.each([1, 100, 2000, 20_000])('%s events/s: any 60 s holds rate × 60 within one event', (rate) => {
    const times: number[] = [];
    const traffic = new SteadyTraffic(new Random(rate), T0, rate, (t) => times.push(t));
    while (traffic.nextTime <= T0 + 180_000) traffic.fire([]);
    let ordered = true;
    for (let i = 1; i < times.length; i++) ordered &&= times[i]! >= times[i - 1]!;
    expect(ordered).toBe(true);
    const counts = [T0, T0 + 17_345, T0 + 60_000, T0 + 119_999].map((from) => {
      let count = 0;
      for (const t of times) if (t > from && t <= from + 60_000) count++;
      return count - rate * 60;
    });
    expect(counts.every((off) => Math.abs(off) <= 1)).toBe(true);
  });
});

describe('Scheduler', () => {
  test('a process added while another fires, with an earlier time, still fires in time order', () => {
    const scheduler = new Scheduler();
    const fired: string[] = [];
    const late: Process = {
      nextTime: 1,
      fire(out) {
        fired.push(`late@${this.nextTime}`);
        if (this.nextTime === 1) scheduler.add(early);
        (this as { nextTime: number }).nextTime += 10;
        void out;
      },
    };
    const early: Process = {
      nextTime: 5,
      fire() {
        fired.push(`early@${this.nextTime}`);
        (this as { nextTime: number }).nextTime = Infinity;
      },
    };
    scheduler.add(late);
    scheduler.runUntil(30, []);
    expect(fired).toEqual(['late@1', 'early@5', 'late@11', 'late@21']);
  });
});

describe("traffic: 'steady' holds the rate asked, at night as at the evening peak", () => {
  test.each([
    ['web', 20],
    ['web', 2000],
    ['finance', 100],
  ] as const)('%s at %s events/s over 60 s', (source, rate) => {
    for (const start of [T0, Date.UTC(2026, 0, 5, 20, 30)]) {
      const simulator = createSimulator(source, { seed: 9, anomalyRate: 0, eventsPerSecond: rate, traffic: 'steady' });
      simulator.next(start);
      const events = simulator.next(start + 60_000).filter((r) => r.topic === SIMULATOR_TOPICS[source].events);
      expect(simulator.expectedRate(start)).toBeCloseTo(rate, 9);
      // Humans and crawlers each hold their share: within one event of each.
      expect(Math.abs(events.length - rate * 60)).toBeLessThanOrEqual(2);
    }
  });

  test('the daily shape stays the default: web at 03:30 is far below its mean', () => {
    const simulator = createSimulator('web', { seed: 9, anomalyRate: 0, eventsPerSecond: 100 });
    simulator.next(T0);
    expect(simulator.next(T0 + 60_000).length).toBeLessThan(100 * 60 * 0.5);
  });

  test('an unknown shape is refused with the choices', () => {
    expect(() => createSimulator('finance', { traffic: 'flat' } as never)).toThrow(
      "traffic: must be one of 'daily', 'steady', got 'flat'",
    );
  });
});

describe('trafficOptions: the options that give `sluice simulate --rate R`', () => {
  test.each([0.01, 1, 1.05, 100, 2000, 15_000, 20_000])('IoT at %s events/s: devices × 1000 / intervalMs', (rate) => {
    const options = trafficOptions('iot', rate);
    const { devices, intervalMs } = options as { devices: number; intervalMs: number };
    expect(devices).toBeLessThanOrEqual(100_000);
    expect(intervalMs).toBeGreaterThanOrEqual(1000);
    expect(Math.abs((devices * 1000) / intervalMs - rate) / rate).toBeLessThan(0.005);
    const simulator = createSimulator('iot', { ...options, anomalyRate: 0 });
    expect(simulator.expectedRate(T0)).toBeCloseTo((devices * 1000) / intervalMs, 6);
  });

  test('web and finance are steady unless the daily curve is asked for', () => {
    expect(trafficOptions('web', 50)).toEqual({ eventsPerSecond: 50, traffic: 'steady' });
    expect(trafficOptions('finance', 5, true)).toEqual({ eventsPerSecond: 5, traffic: 'daily' });
  });

  test('IoT at 100 events/s over a minute: exactly 6,000 readings', () => {
    const simulator = createSimulator('iot', { ...trafficOptions('iot', 100), anomalyRate: 0 });
    simulator.next(T0);
    const readings: SimulatedRecord[] = simulator.next(T0 + 60_000);
    expect(readings).toHaveLength(6000);
  });
});
