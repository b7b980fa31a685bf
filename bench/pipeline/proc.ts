/**
 * CPU and memory of the platform's processes from /proc, for `npm run bench -- pipeline`: each process
 * of a component (found by the launcher's marker, processes.ts `findOwnedProcesses`, so a wrapper's
 * children count too) is read at two moments; CPU is the growth of its user + system time between them,
 * memory its resident set (VmRSS) at the second. The parsing and the accounting are pure; `readProcess`
 * is the only part that reads files.
 */
import { readFileSync } from 'node:fs';

export interface ProcessSample {
  pid: number;
  /** The component it belongs to (the launcher's marker), e.g. `kafka-2`. */
  name: string;
  /** Clock ticks since boot when it started: with the pid, tells a recycled pid apart. */
  startTicks: number;
  /** User + system time, clock ticks. */
  cpuTicks: number;
  rssBytes: number;
}

export interface StageUsage {
  stage: string;
  /** Cores used on average between the two readings (1 = one core busy all the time). */
  cores: number;
  rssBytes: number;
  processes: number;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
export function parseStat(text: string): { cpuTicks: number; startTicks: number } {
  const rest = text
    .slice(text.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state): utime is field 14, stime 15, starttime 22.
  const field = (n: number) => Number(rest[n - 3]);
  return { cpuTicks: field(14) + field(15), startTicks: field(22) };
}

/** VmRSS of /proc/<pid>/status, in bytes (0 for a kernel thread or a zombie, which have none). */
export function parseRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** One reading of a process, or undefined when it has gone. */
export function readProcess(pid: number, name: string): ProcessSample | undefined {
  try {
    const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const rssBytes = parseRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { pid, name, ...stat, rssBytes };
  } catch {
    return undefined;
  }
}

/** The stage a component belongs to, for the report: the three brokers are Kafka, Flink's four processes Flink. */
export function stageOf(component: string): string {
  if (/^kafka-\d+$/.test(component)) return 'kafka';
  if (component.startsWith('flink-') || component === 'sql-gateway') return 'flink';
  if (component.startsWith('sim-')) return 'demo simulators';
  if (component.startsWith('bench sim-')) return 'benchmark simulators';
  if (component.startsWith('ingest-')) return 'ingestors';
  if (['prometheus', 'alertmanager', 'grafana'].includes(component)) return 'monitoring';
  return component;
}

/**
 * Usage per stage between two readings `seconds` apart. A process in both (same pid and start time)
 * counts its growth; one that started in between counts all its time (it ran only in between); one
 * that ended in between is not counted (its last ticks are unknown), nor its memory.
 */
export function usageByStage(
  before: readonly ProcessSample[],
  after: readonly ProcessSample[],
  seconds: number,
  clockTicks: number,
  stage: (component: string) => string = stageOf,
): StageUsage[] {
  const earlier = new Map(before.map((p) => [`${p.pid}/${p.startTicks}`, p]));
  const stages = new Map<string, StageUsage>();
  for (const p of after) {
    const name = stage(p.name);
    const row = stages.get(name) ?? { stage: name, cores: 0, rssBytes: 0, processes: 0 };
    const then = earlier.get(`${p.pid}/${p.startTicks}`);
    const ticks = p.cpuTicks - (then?.cpuTicks ?? 0);
    row.cores += seconds > 0 ? Math.max(0, ticks) / clockTicks / seconds : 0;
    row.rssBytes += p.rssBytes;
    row.processes += 1;
    stages.set(name, row);
  }
  return [...stages.values()].sort((a, b) => b.cores - a.cores);
}
