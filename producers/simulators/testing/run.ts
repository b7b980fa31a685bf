/** Helpers for the simulator tests: drive a simulator through simulated time and check records. */
import avro from 'avsc';
import { readSchema } from '../../../schemas';
import { TOPIC_SCHEMAS } from '../topics';
import type { AnomalyLabel, SimulatedRecord, Simulator } from '../types';

/** Monday 5 January 2026, 00:00 UTC. */
export const MONDAY = Date.UTC(2026, 0, 5);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/** Every record from `start` (the first call) to `start + durationMs`, calling next() every `stepMs`. */
export function run(simulator: Simulator, start: number, durationMs: number, stepMs = 1000): SimulatedRecord[] {
  const out: SimulatedRecord[] = [];
  out.push(...simulator.next(start));
  for (let t = start + stepMs; t < start + durationMs; t += stepMs) out.push(...simulator.next(t));
  out.push(...simulator.next(start + durationMs));
  return out;
}

const types = new Map<string, avro.Type>();

export function typeOf(topic: string): avro.Type {
  let type = types.get(topic);
  if (!type) {
    const name = TOPIC_SCHEMAS[topic];
    if (!name) throw new Error(`no schema for topic ${topic}`);
    type = avro.Type.forSchema(readSchema(name) as avro.Schema);
    types.set(topic, type);
  }
  return type;
}

/** The records that do not match their topic's schema, with the fields at fault (empty when all match). */
export function schemaProblems(records: readonly SimulatedRecord[]): string[] {
  const problems: string[] = [];
  for (const [index, record] of records.entries()) {
    const paths: string[] = [];
    const ok = typeOf(record.topic).isValid(record.value, {
      errorHook: (path: string[]) => paths.push(path.join('.')),
    });
    // Avro doubles accept NaN and Infinity; no simulator should produce them.
    for (const [field, v] of Object.entries(record.value))
      if (typeof v === 'number' && !Number.isFinite(v)) paths.push(field);
    if (!Number.isSafeInteger(record.timestamp)) paths.push('(timestamp)');
    if (!ok || paths.length)
      problems.push(`${record.topic} key=${record.key}: ${paths.join(', ')} in ${JSON.stringify(record.value)}`);
    // The value survives an Avro round trip unchanged (checked on a sample: it is the slow part).
    if (ok && index % 10 === 0) {
      const type = typeOf(record.topic);
      const back = type.fromBuffer(type.toBuffer(record.value));
      if (JSON.stringify(back) !== JSON.stringify(record.value))
        problems.push(`${record.topic} key=${record.key}: round trip changed the value`);
    }
  }
  return problems;
}

/**
 * Where two runs first differ (record by record, deep equality through JSON: the values are plain
 * JSON data), or undefined when they are equal. Much faster than toEqual on 100,000 records.
 */
export function firstDifference(
  a: readonly SimulatedRecord[],
  b: readonly SimulatedRecord[],
): { index: number; a?: SimulatedRecord; b?: SimulatedRecord } | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return { index: i, a: a[i], b: b[i] };
  }
  return undefined;
}

export interface Label extends AnomalyLabel {
  details: Record<string, unknown>;
}

export function labelsOf(records: readonly SimulatedRecord[]): Label[] {
  return records
    .filter((r) => r.topic.startsWith('labels.'))
    .map((r) => {
      const value = r.value as AnomalyLabel;
      return { ...value, details: JSON.parse(value.detail) as Record<string, unknown> };
    });
}

export function eventsOf<T>(records: readonly SimulatedRecord[], topic: string): T[] {
  return records.filter((r) => r.topic === topic).map((r) => r.value as T);
}

export function within<T extends { ts: number }>(events: readonly T[], start: number, end: number): T[] {
  return events.filter((e) => e.ts >= start && e.ts <= end);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
