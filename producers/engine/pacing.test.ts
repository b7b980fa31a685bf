import { KeepUpMonitor, Pacer, type WindowStats } from './pacing';

describe('Pacer', () => {
  test('allows rate × elapsed records, whatever the steps', () => {
    const pacer = new Pacer(100, 0);
    expect(pacer.allowance(0)).toBe(0);
    expect(pacer.allowance(10)).toBe(1);
    pacer.took(1);
    expect(pacer.allowance(15)).toBe(0);
    expect(pacer.waitMs(15)).toBe(5);
    let taken = 1;
    for (let t = 16; t <= 60_000; t += 7) {
      const n = pacer.allowance(t);
      pacer.took(n);
      taken += n;
    }
    taken += pacer.allowance(60_000);
    expect(taken).toBe(6000);
  });

  test('holds 1 record a second and 20,000 a second over a minute, to the record', () => {
    for (const rate of [1, 20_000]) {
      const pacer = new Pacer(rate, 1_000);
      let taken = 0;
      for (let t = 1_000; t <= 61_000; t += 20) {
        const n = pacer.allowance(t);
        pacer.took(n);
        taken += n;
      }
      expect(taken).toBe(rate * 60);
    }
  });

  test('catches up a short stall, forgives what is beyond maxCatchUpMs, and never bursts more', () => {
    const pacer = new Pacer(1000, 0, 1000);
    pacer.took(pacer.allowance(100)); // 100
    expect(pacer.allowance(600)).toBe(500); // half a second behind: caught up in one go
    pacer.took(500);
    // Ten seconds without taking anything: only one second's worth is allowed at once.
    expect(pacer.allowance(10_600)).toBe(1000);
    expect(pacer.forgiven).toBe(9000);
    pacer.took(1000);
    expect(pacer.allowance(10_600)).toBe(0);
    expect(pacer.allowance(10_700)).toBe(100);
  });

  test('without a finite rate everything is allowed at once', () => {
    const pacer = new Pacer(Infinity, 0);
    expect(pacer.allowance(0)).toBe(Infinity);
    expect(pacer.waitMs(0)).toBe(0);
  });
});

describe('KeepUpMonitor', () => {
  const window = (overrides: Partial<WindowStats>): WindowStats => ({
    from: 0,
    to: 10_000,
    asked: 200_000,
    acknowledged: 200_000,
    lagMs: 40,
    busy: 0.4,
    generating: 0.1,
    serializing: 0.1,
    waitingForKafka: 0.2,
    ackP50Ms: 30,
    producers: 3,
    ...overrides,
  });

  test('says nothing while the rate holds and the source keeps up with real time', () => {
    const monitor = new KeepUpMonitor('sim-iot');
    expect(monitor.observe(window({}))).toBeUndefined();
    // A short lag (a slow batch) with the rate met is not falling behind.
    expect(monitor.observe(window({ from: 10_000, to: 20_000, lagMs: 1500 }))).toBeUndefined();
    expect(monitor.behind).toBe(false);
  });

  test('short of CPU: the achieved and asked rates, the lag, and the busy event loop, once a minute', () => {
    const monitor = new KeepUpMonitor('sim-iot', { machine: () => 'load average 9.5 on 2 cores' });
    const event = monitor.observe(
      window({ acknowledged: 80_000, lagMs: 5400, busy: 0.99, generating: 0.3, serializing: 0.2 }),
    );
    expect(event).toEqual({
      kind: 'behind',
      reason: 'cpu',
      achieved: 8000,
      asked: 20_000,
      message:
        'sim-iot: cannot keep up: asked 20,000/s, Kafka acknowledged 8,000/s over the last 10 s, and the records are 5.4 s behind real time. ' +
        'Why: this process is short of CPU: its event loop was busy 99% of the time (generating records 30%, Avro 20%, the Kafka client and TLS the rest), ' +
        'load average 9.5 on 2 cores; a lower --rate, fewer other processes on the machine, or more cores.',
    });
    expect(monitor.behind).toBe(true);
    // Still behind 10 s later: not repeated within the minute; repeated after it.
    expect(monitor.observe(window({ from: 10_000, to: 20_000, acknowledged: 80_000, lagMs: 17_000 }))).toBeUndefined();
    expect(
      monitor.observe(window({ from: 60_000, to: 70_000, acknowledged: 80_000, lagMs: 60_000, busy: 1 }))?.kind,
    ).toBe('behind');
  });

  test('waiting for Kafka: names the producers in flight and the acknowledgement time', () => {
    const monitor = new KeepUpMonitor('sim-web');
    const event = monitor.observe(
      window({ acknowledged: 100_000, lagMs: 3000, busy: 0.3, waitingForKafka: 0.9, ackP50Ms: 850 }),
    );
    expect(event?.kind === 'behind' && event.reason).toBe('kafka');
    expect(event?.message).toContain(
      'Why: Kafka acknowledges too slowly: all 3 producers had a batch waiting for acks=all 90% of the time, median 850 ms per batch',
    );
  });

  test('says once when it has caught up', () => {
    const monitor = new KeepUpMonitor('sim-finance');
    monitor.observe(window({ acknowledged: 100_000, lagMs: 3000 }));
    const event = monitor.observe(window({ from: 10_000, to: 20_000, acknowledged: 300_000, lagMs: 20 }));
    expect(event).toEqual({
      kind: 'recovered',
      message:
        'sim-finance: caught up with real time after 20 s behind; Kafka acknowledged 30,000/s over the last 10 s',
    });
    expect(monitor.observe(window({ from: 20_000, to: 30_000 }))).toBeUndefined();
  });

  test('without an asked rate, a growing lag alone is falling behind', () => {
    const monitor = new KeepUpMonitor('ingest-x');
    expect(monitor.observe(window({ asked: undefined, lagMs: 3000 }))?.message).toMatch(
      /^ingest-x: cannot keep up: Kafka acknowledged 20,000\/s/,
    );
  });
});
