/**
 * `npm run bench -- pipeline`: the highest input rate the whole demo pipeline sustains. On the running
 * demo platform (never started here), the three simulators, mixed as the demo mixes them (web 10 : IoT 5 :
 * finance 5), run as `sluice simulate` processes of the benchmark at rising rates (bench/pipeline/ladder.ts),
 * one step of `stepSeconds` each, in addition to the demo's own. During a step every consumer of the
 * pipeline is sampled for the records it is behind (bench/pipeline/lags.ts):
 *
 * - every Flink job's Kafka sources (their positions from Flink's reporter against the end offsets),
 * - every Connect sink's consumer group (committed offsets against the end offsets),
 * - the anomaly service (its own `sluice_consumer_lag` metric),
 *
 * and judged against 30 s of its measured input (bench/pipeline/judge.ts): a step is sustained when no
 * consumer is behind, none grows and none stops answering, and the simulators delivered at least 90% of
 * the rate asked. The input rate reported is measured (the growth of the three source topics' end
 * offsets over the step's last two thirds), never the rate configured. Beside it, raw Kafka ingest:
 * Kafka's ProducerPerformance as `npm run bench -- ingest` runs it, in the same run, before the ladder.
 * CPU and memory per stage come from /proc of every process of the platform (the launcher's marker,
 * bench/pipeline/proc.ts) over the same two thirds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { SluiceError } from '../lib/errors';
import { createKafka } from '../lib/kafka/connection';
import { repoRoot } from '../lib/repo';
import type { PlatformContext } from '../orchestrator/platform/component';
import { connectAdmin } from '../orchestrator/platform/components/connect';
import { ADMIN_SECRET, ADMIN_USER, kafkaConnection } from '../orchestrator/platform/components/kafka';
import { DEMO_RATES } from '../orchestrator/platform/components/simulators';
import { status, type StatusRow } from '../orchestrator/platform/platform';
import { findOwnedProcesses, run } from '../orchestrator/platform/processes';
import { SIMULATOR_SOURCES, SIMULATOR_TOPICS, type SimulatorSource } from '../producers/simulators';
import { INGEST_DEFAULTS, benchIngest } from './ingest';
import { JUDGE_DEFAULTS, judgeLag, rateBetween, type LagJudgement, type LagSample } from './pipeline/judge';
import { nextRate, type LadderOptions, type LadderStep } from './pipeline/ladder';
import {
  FLINK_CURRENT_OFFSET,
  anomalyLag,
  flinkLags,
  groupLag,
  parseMetrics,
  type ConsumerLag,
  type EndOffsets,
} from './pipeline/lags';
import { readProcess, usageByStage, type ProcessSample, type StageUsage } from './pipeline/proc';

/** What the issue asks of a step (issue 13: "sustains for 10 minutes"). */
export const ISSUE_STEP_SECONDS = 600;

export interface PipelineBenchOptions {
  stepSeconds: number;
  sampleSeconds: number;
  ladder: LadderOptions;
  budgetSeconds: number;
  /** Records of the ProducerPerformance reference run (0: none). */
  ingestRecords: number;
  /** Longest wait for the consumers to catch up after a step that was not sustained. */
  drainSeconds: number;
}

export interface ConsumerResult {
  /** `flink/<job>`, `connect/<connector>`, `anomaly`. */
  consumer: string;
  topics: string[];
  inputRate: number;
  judgement: LagJudgement;
}

export interface StepResult {
  asked: number;
  /** Events/s on the three source topics over the step's last two thirds (the demo's own included). */
  measured: number;
  /** Asked of this benchmark's simulators per source. */
  perSource: Record<SimulatorSource, number>;
  consumers: ConsumerResult[];
  usage: StageUsage[];
  sustained: boolean;
  /** Why not, in a few words. */
  reasons: string[];
  /** Components the supervisor restarted during the step. */
  restarts: string[];
  /** Lines of the simulators that said they could not keep up (first of each). */
  simulatorWarnings: string[];
  seconds: number;
  loadAverage: number;
  drainedSeconds?: number;
}

export interface PipelineResult {
  options: PipelineBenchOptions;
  steps: StepResult[];
  producerPerformance?: number;
  demoRate: number;
  logDir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const EVENT_TOPICS = SIMULATOR_SOURCES.map((s) => SIMULATOR_TOPICS[s].events);
const DEMO_TOTAL = Object.values(DEMO_RATES).reduce((a, b) => a + b, 0);

/** Events per second per source for `rate` in all, in the demo's proportions. */
export function splitRate(rate: number): Record<SimulatorSource, number> {
  const out = {} as Record<SimulatorSource, number>;
  for (const s of SIMULATOR_SOURCES) out[s] = Math.max(1, Math.round((rate * DEMO_RATES[s]) / DEMO_TOTAL));
  return out;
}

async function requirePipelineRunning(ctx: PlatformContext): Promise<StatusRow[]> {
  const rows = await status(ctx);
  const needed = ['kafka-1', 'kafka-2', 'kafka-3', 'flink-jobmanager', 'flink-taskmanager', 'connect', 'anomaly'];
  const down = needed.filter((name) => rows.find((r) => r.component === name)?.health !== 'healthy');
  if (down.length)
    throw new SluiceError(
      'SLUICE_PLATFORM_NOT_RUNNING',
      `the pipeline benchmark needs the demo pipeline flowing; not healthy: ${down.join(', ')}`,
      { fix: 'start it with npm start, then run the benchmark again' },
    );
  return rows;
}

/** The body, or undefined when the server does not answer 200 within 8 s (the body's read included). */
async function fetchText(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(8000) });
    return response.status === 200 ? await response.text() : undefined;
  } catch {
    return undefined; // the timeout may fire while the body is read (seen on the loaded machine): unread
  }
}

interface Sample {
  t: number;
  /** consumer → lag (absent when it could not be read). */
  lags: Map<string, ConsumerLag>;
  /** topic → summed end offsets. */
  offsets: Map<string, number>;
  processes: ProcessSample[];
}

/** What the benchmark reads, made once per run. */
class Sampler {
  private topics: string[] = [];
  private sinks: Array<{ name: string; group: string; topics: string[] }> = [];
  /** Consumer → its topics, as seen so far (a consumer that stops answering keeps its entry). */
  readonly known = new Map<string, string[]>();
  extraPids: Array<{ pid: number; name: string }> = [];

  constructor(
    private readonly ctx: PlatformContext,
    private readonly admin: Admin,
  ) {}

  async init(): Promise<void> {
    this.topics = (await this.admin.listTopics()).filter((t) => !t.startsWith('_'));
    const connect = connectAdmin(this.ctx);
    if (!connect)
      throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', 'the Connect worker of this platform is not running', {
        fix: 'npm start',
      });
    this.sinks = (await connect.listConnectors()).map((c) => ({
      name: c.name,
      group: `connect-${c.name}`,
      topics: (c.config.topics ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    }));
  }

  private sinkTopics(): string[] {
    return this.sinks.flatMap((s) => s.topics);
  }

  private async endOffsets(topics: Iterable<string>): Promise<{ ends: EndOffsets; lows: EndOffsets }> {
    const ends = new Map<string, Map<number, number>>();
    const lows = new Map<string, Map<number, number>>();
    await Promise.all(
      [...new Set(topics)].map(async (topic) => {
        const offsets = await this.admin.fetchTopicOffsets(topic).catch(() => undefined);
        if (!offsets) return;
        ends.set(topic, new Map(offsets.map((p) => [p.partition, Number(p.high)])));
        lows.set(topic, new Map(offsets.map((p) => [p.partition, Number(p.low)])));
      }),
    );
    return { ends, lows };
  }

  async sample(t: number): Promise<Sample> {
    const { ctx } = this;
    // The positions first, then the end offsets: a lag is then over-, never under-counted (by the
    // records of the few ms in between).
    const flinkTexts: string[] = [];
    for (let port = ctx.ports.flinkMetrics.first; port <= ctx.ports.flinkMetrics.last; port++) {
      const text = await fetchText(`http://${ctx.host}:${port}/metrics`);
      if (text) flinkTexts.push(text);
    }
    const anomalyText = await fetchText(`http://${ctx.host}:${ctx.ports.services.anomaly}/metrics`);
    const committed = await Promise.all(
      this.sinks.map(async (sink) => ({
        sink,
        offsets: await this.admin
          .fetchOffsets({ groupId: sink.group, topics: sink.topics })
          .then((topics) =>
            topics.map((t) => ({
              topic: t.topic,
              partitions: t.partitions.map((p) => ({ partition: p.partition, offset: Number(p.offset) })),
            })),
          )
          .catch(() => undefined),
      })),
    );
    // Every topic the first time; then those some consumer reads and the sources (a job seen later names
    // its topics through the full list, and they are read from the next sample on).
    const wanted =
      this.known.size === 0 ? this.topics : [...EVENT_TOPICS, ...[...this.known.values()].flat(), ...this.sinkTopics()];
    const { ends, lows } = await this.endOffsets(wanted);
    const lags = new Map<string, ConsumerLag>();
    const flinkSeries = flinkTexts.flatMap((text) => parseMetrics(text, (n) => n === FLINK_CURRENT_OFFSET));
    for (const [job, lag] of flinkLags(flinkSeries, ends, this.topics)) lags.set(`flink/${job}`, lag);
    for (const { sink, offsets } of committed)
      if (offsets) lags.set(`connect/${sink.name}`, groupLag(offsets, ends, lows));
    const anomaly = anomalyText ? anomalyLag(parseMetrics(anomalyText, (n) => n === 'sluice_consumer_lag')) : undefined;
    if (anomaly) lags.set('anomaly', anomaly);
    for (const [consumer, lag] of lags) this.known.set(consumer, lag.topics);
    const offsets = new Map([...ends].map(([topic, parts]) => [topic, [...parts.values()].reduce((a, b) => a + b, 0)]));
    const processes = [
      ...findOwnedProcesses(ctx.paths.home),
      ...this.extraPids,
      { pid: process.pid, name: 'benchmark' },
    ]
      .map((p) => readProcess(p.pid, p.name))
      .filter((p): p is ProcessSample => p !== undefined);
    return { t, lags, offsets, processes };
  }
}

/** The benchmark's simulators for one step: `sluice simulate <source> --rate r`, one process each. */
function startSimulators(rates: Record<SimulatorSource, number>, logDir: string, step: number): ChildProcess[] {
  return SIMULATOR_SOURCES.map((source) => {
    const log = openSync(join(logDir, `step-${step}-sim-${source}.log`), 'a');
    try {
      return spawn(
        process.execPath,
        [
          join(repoRoot(), 'bin', 'sluice.js'),
          'simulate',
          source,
          '--rate',
          String(rates[source]),
          '--seed',
          String(1000 + step),
        ],
        { cwd: repoRoot(), env: process.env, stdio: ['ignore', log, log] },
      );
    } finally {
      closeSync(log);
    }
  });
}

async function stopSimulators(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), 20_000); // SIGTERM flushes the batch in flight first
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

function simulatorWarnings(logDir: string, step: number): string[] {
  const lines: string[] = [];
  for (const source of SIMULATOR_SOURCES) {
    let text: string;
    try {
      text = readFileSync(join(logDir, `step-${step}-sim-${source}.log`), 'utf8');
    } catch {
      continue; // the simulator wrote nothing
    }
    const line = text.split('\n').find((l) => /cannot keep up|behind real time/.test(l));
    if (line) lines.push(`sim-${source}: ${line.trim().slice(0, 300)}`);
  }
  return lines;
}

async function clockTicks(): Promise<number> {
  const out = await run('getconf', ['CLK_TCK']).catch(() => undefined);
  const ticks = Number(out?.stdout.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
}

function judgeStep(
  samples: Sample[],
  known: ReadonlyMap<string, string[]>,
  budgetSeconds: number,
): { consumers: ConsumerResult[]; measured: number; from: Sample; to: Sample } {
  const third = Math.max(1, Math.floor(samples.length / 3));
  const from = samples[Math.min(third, samples.length - 2)] ?? samples[0]!;
  const to = samples[samples.length - 1]!;
  const consumers: ConsumerResult[] = [];
  for (const [consumer, topics] of known) {
    const series: LagSample[] = samples.map((s) => ({ t: s.t, records: s.lags.get(consumer)?.records }));
    const inputRate = rateBetween(from, to, topics);
    consumers.push({
      consumer,
      topics,
      inputRate,
      judgement: judgeLag(series, inputRate, { ...JUDGE_DEFAULTS, budgetSeconds }),
    });
  }
  consumers.sort((a, b) => a.consumer.localeCompare(b.consumer));
  return { consumers, measured: rateBetween(from, to, EVENT_TOPICS), from, to };
}

/** After a step that was not sustained: wait until every consumer is within its budget again (or give up). */
async function drain(sampler: Sampler, step: StepResult, o: PipelineBenchOptions, started: number): Promise<number> {
  const budget = new Map(step.consumers.map((c) => [c.consumer, c.judgement.budgetRecords]));
  const begin = Date.now();
  let calm = 0;
  while (Date.now() - begin < o.drainSeconds * 1000) {
    await sleep(o.sampleSeconds * 1000);
    const sample = await sampler.sample(Date.now() - started);
    const behind = [...sample.lags].filter(([consumer, lag]) => lag.records > (budget.get(consumer) ?? 0));
    calm = behind.length === 0 ? calm + 1 : 0;
    if (calm >= 2) break;
  }
  return (Date.now() - begin) / 1000;
}

export async function benchPipeline(
  ctx: PlatformContext,
  o: PipelineBenchOptions,
  progress: (line: string) => void = () => undefined,
): Promise<PipelineResult> {
  await requirePipelineRunning(ctx);
  const logDir = mkdtempSync(join(tmpdir(), 'sluice-bench-pipeline-'));
  progress(`simulator logs in ${logDir}`);

  let producerPerformance: number | undefined;
  if (o.ingestRecords > 0) {
    progress(`raw ingest: Kafka ProducerPerformance, ${o.ingestRecords} records of ${INGEST_DEFAULTS.recordSize} B`);
    const [java] = await benchIngest(
      ctx,
      {
        ...INGEST_DEFAULTS,
        records: o.ingestRecords,
        warmup: Math.min(INGEST_DEFAULTS.warmup, Math.floor(o.ingestRecords / 10)),
        runs: 1,
        clients: ['java'],
      },
      progress,
    );
    producerPerformance = java?.median;
  }

  const kafka = createKafka(kafkaConnection(ctx, ADMIN_USER, ctx.secrets.read(ADMIN_SECRET)!, 'bench-pipeline'));
  const admin = kafka.admin();
  await admin.connect();
  const ticks = await clockTicks();
  const steps: StepResult[] = [];
  try {
    const sampler = new Sampler(ctx, admin);
    await sampler.init();
    const history: LadderStep[] = [];
    for (let asked = nextRate(history, o.ladder); asked !== undefined; asked = nextRate(history, o.ladder)) {
      const index = steps.length + 1;
      const perSource = splitRate(asked);
      progress(
        `step ${index}: ${asked} events/s asked (${SIMULATOR_SOURCES.map((s) => `${s} ${perSource[s]}`).join(', ')}) for ${o.stepSeconds} s`,
      );
      const restartsBefore = new Map((await status(ctx)).map((r) => [r.component, r.restarts]));
      const started = Date.now();
      const load = loadavg()[0]!;
      const children = startSimulators(perSource, logDir, index);
      sampler.extraPids = children.map((c, i) => ({ pid: c.pid!, name: `bench sim-${SIMULATOR_SOURCES[i]}` }));
      const samples: Sample[] = [];
      try {
        for (let next = started; next <= started + o.stepSeconds * 1000; next += o.sampleSeconds * 1000) {
          await sleep(next - Date.now());
          const sample = await sampler.sample(Date.now() - started);
          samples.push(sample);
          const worst = [...sample.lags].sort((a, b) => b[1].records - a[1].records)[0];
          progress(
            `  ${Math.round(sample.t / 1000)} s: ${worst ? `most behind ${worst[0]} ${worst[1].records} records` : 'no consumer read'}`,
          );
        }
      } finally {
        await stopSimulators(children);
      }
      const restarts = (await status(ctx))
        .filter((r) => r.restarts > (restartsBefore.get(r.component) ?? 0))
        .map((r) => `${r.component} (${r.restarts - (restartsBefore.get(r.component) ?? 0)})`);
      const { consumers, measured, from, to } = judgeStep(samples, sampler.known, o.budgetSeconds);
      const usage = usageByStage(from.processes, to.processes, (to.t - from.t) / 1000, ticks);
      const reasons = consumers
        .filter((c) => c.judgement.verdict !== 'sustained')
        .map((c) => `${c.consumer} ${c.judgement.verdict}`);
      const expected = asked + DEMO_TOTAL;
      if (measured < 0.9 * expected)
        reasons.unshift(`input short: ${Math.round(measured)} of ${Math.round(expected)} events/s`);
      if (restarts.length) reasons.push(`restarted: ${restarts.join(', ')}`);
      const step: StepResult = {
        asked,
        measured,
        perSource,
        consumers,
        usage,
        sustained: reasons.length === 0,
        reasons,
        restarts,
        simulatorWarnings: simulatorWarnings(logDir, index),
        seconds: (Date.now() - started) / 1000,
        loadAverage: load,
      };
      steps.push(step);
      history.push({ rate: asked, sustained: step.sustained });
      progress(
        `step ${index}: ${Math.round(measured)} events/s measured: ${step.sustained ? 'sustained' : `not sustained (${reasons.join('; ')})`}`,
      );
      if (!step.sustained && nextRate(history, o.ladder) !== undefined) {
        step.drainedSeconds = await drain(sampler, step, o, started);
        progress(`  consumers caught up (or gave up) after ${Math.round(step.drainedSeconds)} s`);
      }
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const result: PipelineResult = {
    options: o,
    steps,
    ...(producerPerformance !== undefined ? { producerPerformance } : {}),
    demoRate: DEMO_TOTAL,
    logDir,
  };
  writeFileSync(join(logDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const s1 = (x: number) => (Number.isFinite(x) ? (x >= 100 ? n(x) : x.toFixed(1)) : '∞');
const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);

/** The step the benchmark reports: the sustained one with the highest measured rate. */
export function bestStep(steps: readonly StepResult[]): StepResult | undefined {
  return steps.filter((s) => s.sustained).sort((a, b) => b.measured - a.measured)[0];
}

export function renderPipeline(result: PipelineResult): string {
  const { options: o, steps } = result;
  const best = bestStep(steps);
  const out: string[] = [];
  const short =
    o.stepSeconds < ISSUE_STEP_SECONDS
      ? ` (SHORTER than the ${ISSUE_STEP_SECONDS} s per step issue 13 asks: a lag that grows slowly may pass)`
      : '';
  out.push(
    `Pipeline capacity: steps of ${o.stepSeconds} s${short}, samples every ${o.sampleSeconds} s; a consumer keeps up when the median of its lag over the step's last third is under ${o.budgetSeconds} s of its measured input (at least ${JUDGE_DEFAULTS.minRecords} records) and grew by less than a third of that since the first third. Simulators mixed as in the demo (web ${DEMO_RATES.web} : IoT ${DEMO_RATES.iot} : finance ${DEMO_RATES.finance}, steady, anomalies on), beside the demo's own ${result.demoRate} events/s.`,
    '',
    '| Step | Asked (events/s) | Measured (events/s) | Result | Most behind (last third, s of input) | CPU, every process (cores) | Load avg at start |',
    '|---|---|---|---|---|---|---|',
  );
  steps.forEach((step, i) => {
    const worst = [...step.consumers].sort((a, b) => b.judgement.lastSeconds - a.judgement.lastSeconds)[0];
    const cores = step.usage.reduce((sum, u) => sum + u.cores, 0);
    out.push(
      `| ${i + 1} | ${n(step.asked)} | ${n(step.measured)} | ${step.sustained ? 'sustained' : `not sustained: ${step.reasons.join('; ')}`} | ${worst ? `${worst.consumer} ${s1(worst.judgement.lastSeconds)}` : '-'} | ${cores.toFixed(2)} | ${step.loadAverage.toFixed(1)} |`,
    );
  });
  out.push('');
  if (best) {
    const ratio = result.producerPerformance ? best.measured / result.producerPerformance : undefined;
    out.push(
      `Sustained: ${n(best.measured)} events/s measured (${n(best.asked)} asked of the benchmark's simulators + the demo's ${result.demoRate}).`,
      result.producerPerformance
        ? `Raw Kafka ingest, ProducerPerformance in the same run: ${n(result.producerPerformance)} records/s (512-B records, 6 partitions, acks=all, gzip); pipeline ÷ raw ingest = ${ratio!.toFixed(3)}.`
        : 'Raw Kafka ingest: not measured (--ingest-records 0).',
      '',
      `At that rate, per stage (CPU over the step's last two thirds, RSS at its end):`,
      '',
      '| Stage | CPU (cores) | RSS (GiB) | Processes |',
      '|---|---|---|---|',
      ...best.usage.map((u) => `| ${u.stage} | ${u.cores.toFixed(2)} | ${gib(u.rssBytes)} | ${u.processes} |`),
      `| all | ${best.usage.reduce((a, u) => a + u.cores, 0).toFixed(2)} | ${gib(best.usage.reduce((a, u) => a + u.rssBytes, 0))} | ${best.usage.reduce((a, u) => a + u.processes, 0)} |`,
      '',
    );
  } else {
    out.push('No step was sustained.', '');
  }
  const failed = steps.find((s) => !s.sustained && (!best || s.asked > best.asked));
  for (const [label, step] of [
    ['at the sustained rate', best],
    ['at the first rate above it that was not sustained', failed],
  ] as const) {
    if (!step) continue;
    out.push(
      `Consumers ${label} (${n(step.measured)} events/s):`,
      '',
      '| Consumer | Input (records/s) | Lag, last third (s) | Lag, max (s) | Lag, last third (records) | Verdict |',
      '|---|---|---|---|---|---|',
      ...step.consumers.map(
        (c) =>
          `| ${c.consumer} | ${s1(c.inputRate)} | ${s1(c.judgement.lastSeconds)} | ${s1(c.judgement.maxSeconds)} | ${n(c.judgement.lastMedian)} | ${c.judgement.verdict} |`,
      ),
      '',
    );
    if (step.simulatorWarnings.length) out.push(...step.simulatorWarnings.map((w) => `- ${w}`), '');
  }
  out.push(`Simulator logs and every step's figures (result.json): ${result.logDir}`);
  return out.join('\n');
}
