import { createSimulator } from './index';
import { HOUR, MONDAY, eventsOf, labelsOf, median, run, schemaProblems, within, type Label } from './testing/run';
import { Zipf } from './distributions';
import type { IpRange, WebAccessLog } from './web';
import { ipToInt } from './web';

const LOGS = 'web.access-logs';

describe('web simulator, normal traffic', () => {
  const simulator = createSimulator('web', { seed: 11, anomalyRate: 0, eventsPerSecond: 10 });
  const ranges = simulator
    .referenceData()
    .filter((r) => r.topic === 'ref.ip-ranges')
    .map((r) => r.value as IpRange);
  const records = run(simulator, MONDAY + 11 * HOUR, HOUR);
  const logs = eventsOf<WebAccessLog>(records, LOGS);
  const humans = logs.filter((l) => !l.is_bot);
  const bots = logs.filter((l) => l.is_bot);

  test('produces thousands of records, all valid against web-access-log.avsc', () => {
    expect(logs.length).toBeGreaterThan(20_000);
    expect(schemaProblems(records)).toEqual([]);
  });

  test('writes only access logs, keyed by client IP and timestamped with ts, in time order', () => {
    expect(
      records.every(
        (r) =>
          r.topic === LOGS &&
          r.key === (r.value as WebAccessLog).client_ip &&
          r.timestamp === (r.value as WebAccessLog).ts,
      ),
    ).toBe(true);
    expect(records.every((r, i) => i === 0 || r.timestamp >= (records[i - 1] as { timestamp: number }).timestamp)).toBe(
      true,
    );
    expect(new Set(logs.map((l) => l.event_id)).size).toBe(logs.length);
  });

  test('reference data: IP ranges keyed by CIDR, valid, not overlapping, and every client IP falls in one', () => {
    const reference = simulator.referenceData(MONDAY).filter((r) => r.topic === 'ref.ip-ranges');
    expect(reference).toHaveLength(48);
    expect(schemaProblems(reference)).toEqual([]);
    expect(
      reference.every(
        (r) => r.topic === 'ref.ip-ranges' && r.key === (r.value as IpRange).cidr && r.timestamp === MONDAY,
      ),
    ).toBe(true);
    const spans = ranges.map((r) => {
      const [base, bits] = r.cidr.split('/');
      expect(base).toBe(r.start_ip);
      const size = 2 ** (32 - Number(bits));
      expect(ipToInt(r.end_ip) - ipToInt(r.start_ip) + 1).toBe(size);
      expect(ipToInt(r.start_ip) % size).toBe(0);
      return [ipToInt(r.start_ip), ipToInt(r.end_ip)] as const;
    });
    const sorted = [...spans].sort((a, b) => a[0] - b[0]);
    expect(sorted.every((s, i) => i === 0 || s[0] > (sorted[i - 1] as readonly [number, number])[1])).toBe(true);
    const outside = [...new Set(logs.map((l) => l.client_ip))].filter(
      (ip) => !spans.some(([a, b]) => ipToInt(ip) >= a && ipToInt(ip) <= b),
    );
    expect(outside).toEqual([]);
    expect(ranges.every((r) => r.asn >= 64512 && r.asn <= 65534)).toBe(true);
  });

  test('reference data: every /24 block of every range, keyed by block, naming its range', () => {
    const blocks = simulator.referenceData(MONDAY).filter((r) => r.topic === 'ref.ip-blocks');
    expect(schemaProblems(blocks)).toEqual([]);
    const size = (cidr: string) => 2 ** (32 - Number(cidr.split('/')[1]));
    expect(ranges.every((r) => size(r.cidr) >= 256)).toBe(true);
    expect(blocks).toHaveLength(ranges.reduce((n, r) => n + size(r.cidr) / 256, 0));
    const byCidr = new Map(ranges.map((r) => [r.cidr, r]));
    for (const { key, value, timestamp } of blocks) {
      const block = value as { block: string; cidr: string; country: string; asn: number; as_org: string };
      const range = byCidr.get(block.cidr)!;
      expect([key, timestamp]).toEqual([block.block, MONDAY]);
      expect(block).toEqual({
        block: block.block,
        cidr: range.cidr,
        country: range.country,
        asn: range.asn,
        as_org: range.as_org,
      });
      const first = ipToInt(block.block.split('/')[0]!);
      expect(first % 256 === 0 && first >= ipToInt(range.start_ip) && first + 255 <= ipToInt(range.end_ip)).toBe(true);
    }
    // Every client's address is found through its block.
    const known = new Set(blocks.map((b) => b.key));
    expect(
      [...new Set(logs.map((l) => l.client_ip))].filter(
        (ip) => !known.has(`${ip.split('.').slice(0, 3).join('.')}.0/24`),
      ),
    ).toEqual([]);
  });

  test('paths are Zipf-distributed: the top path has its Zipf share and the top 10% of paths most requests', () => {
    const counts = new Map<string, number>();
    for (const l of humans) counts.set(l.path, (counts.get(l.path) ?? 0) + 1);
    const ranked = [...counts.values()].sort((a, b) => b - a);
    const zipf = new Zipf(60, 1.1);
    expect((ranked[0] as number) / humans.length).toBeCloseTo(zipf.probability(0), 1);
    expect(ranked.slice(0, 6).reduce((a, b) => a + b, 0) / humans.length).toBeGreaterThan(0.5);
    expect(humans.filter((l) => l.path === '/').length).toBe(ranked[0]);
  });

  test('methods, statuses and users look like a web shop', () => {
    const share = (predicate: (l: WebAccessLog) => boolean) => humans.filter(predicate).length / humans.length;
    expect(share((l) => l.method === 'GET')).toBeGreaterThan(0.8);
    expect(share((l) => l.method === 'POST')).toBeGreaterThan(0.01);
    expect(share((l) => l.status < 400)).toBeGreaterThan(0.9);
    expect(share((l) => l.status >= 500)).toBeLessThan(0.02);
    expect(share((l) => l.status === 404)).toBeGreaterThan(0.005);
    expect(share((l) => l.user !== null)).toBeGreaterThan(0.15);
    expect(share((l) => l.referrer === null)).toBeGreaterThan(0.2);
    expect(humans.filter((l) => l.status === 304).every((l) => l.bytes === 0)).toBe(true);
    // Static assets answer fast, the checkout API slowly.
    const times = (path: string) =>
      median(humans.filter((l) => l.path === path && l.status < 500).map((l) => l.response_time_ms));
    expect(times('/api/checkout')).toBeGreaterThan(10 * times('/static/app.js'));
  });

  test('crawler bots: a steady share of the traffic from cloud ranges, with crawler user agents', () => {
    expect(bots.length / logs.length).toBeGreaterThan(0.03);
    expect(bots.length / logs.length).toBeLessThan(0.12);
    expect(bots.every((l) => /bot|Bot/.test(l.user_agent) && l.user === null)).toBe(true);
    expect(humans.some((l) => /compatible;/.test(l.user_agent))).toBe(false);
    const cloud = ranges
      .filter((r) => /Cloud|Hosting|Compute|Servers/.test(r.as_org))
      .map((r) => [ipToInt(r.start_ip), ipToInt(r.end_ip)] as const);
    expect(bots.every((l) => cloud.some(([a, b]) => ipToInt(l.client_ip) >= a && ipToInt(l.client_ip) <= b))).toBe(
      true,
    );
  });

  test('diurnal: several times more human requests at midday than at night; bots do not sleep', () => {
    const hour = (h: number) =>
      eventsOf<WebAccessLog>(
        run(createSimulator('web', { seed: 11, anomalyRate: 0, eventsPerSecond: 10 }), MONDAY + h * HOUR, HOUR),
        LOGS,
      );
    const night = hour(3);
    const day = hour(12);
    const humansIn = (ls: WebAccessLog[]) => ls.filter((l) => !l.is_bot).length;
    const botsIn = (ls: WebAccessLog[]) => ls.filter((l) => l.is_bot).length;
    expect(humansIn(day) / humansIn(night)).toBeGreaterThan(4);
    expect(botsIn(day) / botsIn(night)).toBeCloseTo(1, 0);
  });
});

describe('web simulator, anomalies agree with their labels', () => {
  const anomalous = (kind: string, hours = 2) => {
    const start = MONDAY + 9 * HOUR;
    const records = run(
      createSimulator('web', { seed: 5, anomalyRate: 15, anomalyKinds: [kind], eventsPerSecond: 5 }),
      start,
      hours * HOUR,
      2000,
    );
    const all = labelsOf(records);
    // Requests to the path outside every anomaly on it.
    const normal = (logs: WebAccessLog[], path: string) =>
      logs.filter((l) => !all.some((a) => a.key === path && l.ts >= a.start_ts && l.ts <= a.end_ts));
    // Labels whose span ends within the run (the others are cut off by its end).
    const labels = all.filter((l) => l.end_ts <= start + hours * HOUR);
    return { records, labels, normal, logs: eventsOf<WebAccessLog>(records, LOGS) };
  };

  const labelBasics = (labels: Label[], kind: string, keyField: string) => {
    expect(labels.length).toBeGreaterThanOrEqual(8);
    expect(new Set(labels.map((l) => l.label_id)).size).toBe(labels.length);
    for (const label of labels) {
      expect(label).toMatchObject({ source: 'web', kind });
      expect(label.details.key_field).toBe(keyField);
      expect(label.end_ts).toBeGreaterThan(label.start_ts);
    }
  };

  test('error_burst: the labelled path answers mostly 5xx within the span, rarely outside it', () => {
    const { records, labels, logs, normal } = anomalous('error_burst');
    expect(schemaProblems(records)).toEqual([]);
    labelBasics(labels, 'error_burst', 'path');
    for (const label of labels) {
      const onPath = logs.filter((l) => l.path === label.key);
      const during = within(onPath, label.start_ts, label.end_ts);
      const outside = normal(onPath, label.key);
      const errors = (ls: WebAccessLog[]) => ls.filter((l) => l.status >= 500).length / Math.max(1, ls.length);
      expect(during.length).toBeGreaterThanOrEqual(5);
      expect(errors(during)).toBeGreaterThan(0.7);
      expect(outside.length).toBeGreaterThan(50);
      expect(errors(outside)).toBeLessThan(0.05);
    }
  });

  test('slow_endpoint: response times on the labelled path are about ten times longer within the span than outside it', () => {
    const { labels, logs, normal } = anomalous('slow_endpoint');
    labelBasics(labels, 'slow_endpoint', 'path');
    for (const label of labels) {
      expect(label.details).toMatchObject({ path: label.key, factor: 10 });
      const onPath = logs.filter((l) => l.path === label.key);
      const during = within(onPath, label.start_ts, label.end_ts).map((l) => l.response_time_ms);
      const outside = normal(onPath, label.key).map((l) => l.response_time_ms);
      expect(during.length).toBeGreaterThanOrEqual(5);
      expect(outside.length).toBeGreaterThan(50);
      expect(median(during)).toBeGreaterThan(5 * median(outside));
    }
  });

  test('bot_flood: one new address sends tens of requests per second, all within the span and flagged as bot', () => {
    const { labels, logs } = anomalous('bot_flood', 1);
    labelBasics(labels, 'bot_flood', 'client_ip');
    for (const label of labels) {
      const fromIp = logs.filter((l) => l.client_ip === label.key);
      expect(fromIp.length).toBe(label.details.requests);
      expect(fromIp.every((l) => l.is_bot && l.ts >= label.start_ts && l.ts <= label.end_ts)).toBe(true);
      expect(fromIp[0]?.ts).toBe(label.start_ts);
      expect(fromIp[fromIp.length - 1]?.ts).toBe(label.end_ts);
      expect(fromIp.length / ((label.end_ts - label.start_ts) / 1000)).toBeGreaterThan(10);
    }
    // Each flood comes from an address of its own.
    expect(new Set(labels.map((l) => l.key)).size).toBe(labels.length);
  });
});
