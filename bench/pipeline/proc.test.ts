import { parseRssBytes, parseStat, readProcess, stageOf, usageByStage, type ProcessSample } from './proc';

// A real line's shape: the command name may hold spaces and parentheses.
const STAT =
  '4242 (java (kafka) x) S 1 4242 4242 0 -1 4194560 90210 0 12 0 1500 250 3 1 20 0 93 0 987654 6190000000 200000 18446744073709551615 1 1 0 0 0 0 0 4096 1260 0 0 0 17 1 0 0 0 0 0';

describe('parseStat', () => {
  it('reads utime + stime and the start time after a command name with spaces and parentheses', () => {
    expect(parseStat(STAT)).toEqual({ cpuTicks: 1750, startTicks: 987654 });
  });

  it("reads this process's own stat", () => {
    const me = readProcess(process.pid, 'me')!;
    expect(me.cpuTicks).toBeGreaterThan(0);
    expect(me.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(me.startTicks).toBeGreaterThan(0);
    expect(readProcess(2 ** 30, 'gone')).toBeUndefined();
  });
});

describe('parseRssBytes', () => {
  it('reads VmRSS in kB', () => {
    expect(parseRssBytes('Name:\tjava\nVmPeak:\t 999 kB\nVmRSS:\t  204800 kB\nRssAnon:\t 1 kB\n')).toBe(209_715_200);
    expect(parseRssBytes('Name:\tkthreadd\nState:\tS\n')).toBe(0);
  });
});

describe('stageOf', () => {
  it('groups the brokers, Flink, the demo simulators, the ingestors and monitoring', () => {
    expect(['kafka-1', 'kafka-3', 'flink-jobmanager', 'flink-zookeeper', 'sql-gateway'].map(stageOf)).toEqual([
      'kafka',
      'kafka',
      'flink',
      'flink',
      'flink',
    ]);
    expect(['sim-iot', 'bench sim-iot', 'ingest-yahoo', 'grafana', 'connect', 'anomaly'].map(stageOf)).toEqual([
      'demo simulators',
      'benchmark simulators',
      'ingestors',
      'monitoring',
      'connect',
      'anomaly',
    ]);
  });
});

describe('usageByStage', () => {
  const p = (pid: number, name: string, cpuTicks: number, rssMb: number, startTicks = 1): ProcessSample => ({
    pid,
    name,
    startTicks,
    cpuTicks,
    rssBytes: rssMb * 1024 * 1024,
  });

  it('sums the growth of each process per stage, in cores', () => {
    const before = [p(10, 'kafka-1', 1000, 500), p(11, 'kafka-2', 2000, 500), p(20, 'connect', 50, 300)];
    // 100 ticks/s over 10 s: 1000 ticks is one core.
    const after = [p(10, 'kafka-1', 1500, 510), p(11, 'kafka-2', 2500, 520), p(20, 'connect', 150, 310)];
    const usage = usageByStage(before, after, 10, 100);
    expect(usage).toEqual([
      { stage: 'kafka', cores: 1, rssBytes: 1030 * 1024 * 1024, processes: 2 },
      { stage: 'connect', cores: 0.1, rssBytes: 310 * 1024 * 1024, processes: 1 },
    ]);
  });

  it('counts a process started in between in full and never subtracts a recycled pid', () => {
    // pid 30 was another process before (start 5); now a Cassandra child started at 900.
    const before = [p(30, 'cassandra', 10_000, 100, 5)];
    const after = [p(30, 'cassandra', 200, 100, 900), p(31, 'cassandra', 300, 50, 901)];
    expect(usageByStage(before, after, 10, 100)[0]).toMatchObject({ stage: 'cassandra', cores: 0.5, processes: 2 });
  });

  it('leaves out a process that ended in between', () => {
    expect(usageByStage([p(40, 'anomaly', 100, 80)], [], 10, 100)).toEqual([]);
  });
});
