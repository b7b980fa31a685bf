/**
 * `npm run bench -- simulate`: does `sluice simulate <source> --rate R` hold R? For each source and rate
 * (default 1, 100, 2,000 and 20,000 events/s), several runs of 60 s each through the same code as the
 * command (producers/run-simulation.ts: the steady traffic shape, the producer engine, its reference data
 * first), with anomalies off so that only the rate is measured. The rate is what the brokers
 * acknowledged: the growth of the events topic's end offsets over the run, divided by the time from the
 * start of simulated time (after connecting and the reference data) to the last acknowledgement. The
 * median of the runs is reported with its error against the rate asked, and whether the engine said it
 * could not keep up.
 *
 * It writes to topics of its own, not the demo's: a small spec (`bench-simulate`) with `bench.simulate.`
 * copies of the source topics (same schemas) and a principal that may produce to them, deployed at the
 * start and pruned at the end. The demo pipeline and its jobs never see these records.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { createKafka } from '../lib/kafka/connection';
import { createLogger, type Logger } from '../lib/log';
import { RegistryClient } from '../lib/registry/client';
import { repoRoot } from '../lib/repo';
import { deployPipeline } from '../orchestrator/cli/pipeline';
import type { PlatformContext } from '../orchestrator/platform/component';
import { ADMIN_SECRET, ADMIN_USER, kafkaConnection } from '../orchestrator/platform/components/kafka';
import { registryUrl } from '../orchestrator/platform/components/registry';
import { Simulation } from '../producers/run-simulation';
import { SIMULATOR_TOPICS, TOPIC_SCHEMAS, topicsOf, type SimulatorSource } from '../producers/simulators';

export const SPEC_NAME = 'bench-simulate';
export const PRINCIPAL = 'bench-simulate';
export const TOPIC_PREFIX = 'bench.simulate.';

export interface SimulateBenchOptions {
  sources: SimulatorSource[];
  rates: number[];
  runs: number;
  durationSeconds: number;
}

export interface SimulateRun {
  source: SimulatorSource;
  rate: number;
  /** Events the brokers acknowledged on the events topic, per second of paced time. */
  achieved: number;
  events: number;
  seconds: number;
  /** Whether the engine logged that it could not keep up, and the first such line. */
  behind?: string;
  /** CPU of this process (the simulator and engine) in cores, over the run. */
  cpuCores: number;
}

export interface SimulateRow {
  source: SimulatorSource;
  rate: number;
  runs: SimulateRun[];
  median: number;
  /** (median − rate) / rate. */
  error: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The spec: a copy of every topic of the sources under TOPIC_PREFIX, and one principal producing to them. */
export function benchSpec(sources: readonly SimulatorSource[]): string {
  const topics = sources.flatMap((s) => topicsOf(s));
  const lines = ['apiVersion: sluice/v1', `name: ${SPEC_NAME}`, 'topics:'];
  for (const topic of topics) {
    const isEvents = sources.some((s) => SIMULATOR_TOPICS[s].events === topic);
    lines.push(
      `  - name: ${TOPIC_PREFIX}${topic}`,
      `    description: "npm run bench -- simulate: a copy of ${topic} for the rate benchmark."`,
      `    valueSchema: ${join(repoRoot(), 'schemas', `${TOPIC_SCHEMAS[topic]}.avsc`)}`,
      `    partitions: ${isEvents ? 6 : 3}`,
      '    replicationFactor: 3',
      '    config:',
      '      min.insync.replicas: 2',
      '      retention.ms: 900000',
    );
  }
  lines.push(
    'principals:',
    `  - name: ${PRINCIPAL}`,
    '    description: "npm run bench -- simulate: the simulators writing to the benchmark\'s copies."',
    `    produces: [${topics.map((t) => `${TOPIC_PREFIX}${t}`).join(', ')}]`,
  );
  return `${lines.join('\n')}\n`;
}

async function endOffsets(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

/** A logger that passes lines on and remembers the first "cannot keep up" one. */
function watching(log: Logger): { log: Logger; behind: () => string | undefined } {
  let behind: string | undefined;
  const wrap = (base: Logger): Logger => ({
    debug: (m, f) => base.debug(m, f),
    info: (m, f) => base.info(m, f),
    warn: (m, f) => {
      if (behind === undefined && /cannot keep up|behind real time/.test(m)) behind = m;
      base.warn(m, f);
    },
    error: (m, f) => base.error(m, f),
    child: (fields) => wrap(base.child(fields)),
  });
  return { log: wrap(log), behind: () => behind };
}

async function oneRun(
  ctx: PlatformContext,
  admin: Admin,
  source: SimulatorSource,
  rate: number,
  durationSeconds: number,
  log: Logger,
): Promise<SimulateRun> {
  const password = ctx.secrets.read(`users/${PRINCIPAL}`);
  if (password === undefined) throw new Error(`the spec ${SPEC_NAME} did not create credentials for ${PRINCIPAL}`);
  const topic = `${TOPIC_PREFIX}${SIMULATOR_TOPICS[source].events}`;
  const before = await endOffsets(admin, topic);
  const watcher = watching(log);
  const simulation = new Simulation({
    source,
    rate,
    durationMs: durationSeconds * 1000,
    anomalyRate: 0,
    seed: `bench-${source}-${rate}-${Date.now()}`,
    topicPrefix: TOPIC_PREFIX,
    kafka: createKafka(kafkaConnection(ctx, PRINCIPAL, password, `${PRINCIPAL}-${source}`), { retries: 10 }),
    registry: new RegistryClient({ url: registryUrl(ctx) }),
    log: watcher.log,
  });
  const cpu = process.cpuUsage();
  const started = Date.now();
  const summary = await simulation.run();
  const used = process.cpuUsage(cpu);
  const events = (await endOffsets(admin, topic)) - before;
  const seconds = summary.elapsedMs / 1000;
  const behind = watcher.behind();
  return {
    source,
    rate,
    achieved: events / seconds,
    events,
    seconds,
    ...(behind ? { behind } : {}),
    cpuCores: (used.user + used.system) / 1e6 / ((Date.now() - started) / 1000),
  };
}

export async function benchSimulate(
  ctx: PlatformContext,
  options: SimulateBenchOptions,
  progress: (line: string) => void = () => undefined,
): Promise<{ rows: SimulateRow[]; load: string }> {
  const log = createLogger({ level: 'warn' });
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-simulate-'));
  const spec = join(dir, 'pipeline.yaml');
  const kafka = createKafka(kafkaConnection(ctx, ADMIN_USER, ctx.secrets.read(ADMIN_SECRET)!, 'bench-simulate-admin'));
  const admin = kafka.admin();
  const loads: number[] = [];
  try {
    writeFileSync(spec, benchSpec(options.sources));
    await deployPipeline(ctx, spec, { log });
    await admin.connect();
    const runs: SimulateRun[] = [];
    // Rounds of every (source, rate), so a slow minute of the machine does not fall on one rate only.
    for (let round = 1; round <= options.runs; round++)
      for (const rate of options.rates)
        for (const source of options.sources) {
          loads.push(loadavg()[0]!);
          const run = await oneRun(ctx, admin, source, rate, options.durationSeconds, log);
          runs.push(run);
          progress(
            `run ${round}/${options.runs} ${source} at ${rate}/s: ${run.achieved.toFixed(2)}/s (${run.events} events in ${run.seconds.toFixed(1)} s, ${run.cpuCores.toFixed(2)} cores)${run.behind ? ' BEHIND' : ''}`,
          );
        }
    const rows: SimulateRow[] = [];
    for (const source of options.sources)
      for (const rate of options.rates) {
        const mine = runs.filter((r) => r.source === source && r.rate === rate);
        const m = median(mine.map((r) => r.achieved));
        rows.push({ source, rate, runs: mine, median: m, error: (m - rate) / rate });
      }
    return {
      rows,
      load: `load average ${median(loads).toFixed(1)} (median at the start of each run) on ${cpus().length} cores`,
    };
  } finally {
    await admin.disconnect().catch(() => undefined);
    // An empty spec of the same name with prune removes the topics, subjects and principal.
    writeFileSync(spec, `apiVersion: sluice/v1\nname: ${SPEC_NAME}\n`);
    await deployPipeline(ctx, spec, { prune: true, log }).catch((error: unknown) =>
      log.error(`could not remove the benchmark's spec ${SPEC_NAME}: ${String(error)}`),
    );
    rmSync(dir, { recursive: true, force: true });
  }
}

export function renderSimulate(options: SimulateBenchOptions, rows: SimulateRow[], load: string): string {
  const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
  return [
    `sluice simulate rate accuracy: ${options.runs} runs of ${options.durationSeconds} s per source and rate, anomalies off, rate from the brokers' acknowledgements (events topic end offsets); ${load}`,
    '',
    '| Source | Asked (events/s) | Achieved, median | Error | Runs (events/s) | Said it could not keep up |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.source} | ${fmt(r.rate)} | ${fmt(r.median)} | ${(r.error * 100).toFixed(1)}% | ${r.runs.map((x) => fmt(x.achieved)).join(', ')} | ${r.runs.filter((x) => x.behind).length} of ${r.runs.length} |`,
    ),
    '',
    ...rows.flatMap((r) => r.runs.filter((x) => x.behind).map((x) => `- ${x.source} ${x.rate}/s: ${x.behind}`)),
  ].join('\n');
}
