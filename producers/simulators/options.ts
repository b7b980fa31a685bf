/**
 * Options of the simulators, checked once when a simulator is made. Every problem is reported together,
 * each with the option's name and a fix, in one SluiceError('SLUICE_CONFIG_INVALID').
 */
import { SluiceError } from '../../lib/errors';
import type { Seed } from './random';
import type { SimulatorSource } from './types';

/** Options every simulator takes. */
export interface CommonSimulatorOptions {
  /** Seed of the random streams; the same seed gives the same records. A number or a string. Default 1. */
  seed?: Seed;
  /** Anomalies started per simulated hour on average (a Poisson process); 0 injects none. Default 6. */
  anomalyRate?: number;
  /** The kinds of anomaly to inject (default: every kind of the source), chosen with equal chance. */
  anomalyKinds?: readonly string[];
}

export interface OptionProblem {
  path: string;
  message: string;
  fix: string;
}

export const DEFAULT_SEED = 1;
export const DEFAULT_ANOMALY_RATE = 6;

interface NumberRule {
  default: number;
  min?: number;
  max?: number;
  /** min is excluded (the value must be greater). */
  above?: number;
  integer?: boolean;
  /** Shown in the fix, e.g. '--rate 20'. */
  example: string;
}

const show = (value: unknown): string =>
  typeof value === 'string' ? `'${value}'` : value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));

/** Reads options of one simulator, collecting every problem instead of stopping at the first. */
export class OptionReader {
  readonly problems: OptionProblem[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly source: SimulatorSource,
    private readonly raw: Readonly<Record<string, unknown>>,
  ) {}

  number(name: string, rule: NumberRule): number {
    this.seen.add(name);
    const value = this.raw[name];
    if (value === undefined) return rule.default;
    const range = [
      rule.above !== undefined ? `greater than ${rule.above}` : undefined,
      rule.min !== undefined ? `at least ${rule.min}` : undefined,
      rule.max !== undefined ? `at most ${rule.max}` : undefined,
    ]
      .filter(Boolean)
      .join(' and ');
    const wanted = `${rule.integer ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}`;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!rule.integer || Number.isInteger(value)) &&
      (rule.above === undefined || value > rule.above) &&
      (rule.min === undefined || value >= rule.min) &&
      (rule.max === undefined || value <= rule.max);
    if (!ok) {
      this.problems.push({
        path: name,
        message: `must be ${wanted}, got ${show(value)}`,
        fix: `use ${wanted}, e.g. ${rule.example}`,
      });
      return rule.default;
    }
    return value as number;
  }

  /** One of `choices` (strings), or `fallback` when the option is not given. */
  choice<T extends string>(name: string, choices: readonly T[], fallback: T, example: string): T {
    this.seen.add(name);
    const value = this.raw[name];
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    this.problems.push({
      path: name,
      message: `must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${show(value)}`,
      fix: `use e.g. ${example}`,
    });
    return fallback;
  }

  seed(): Seed {
    this.seen.add('seed');
    const value = this.raw.seed;
    if (value === undefined) return DEFAULT_SEED;
    if (
      (typeof value === 'number' && Number.isSafeInteger(value)) ||
      (typeof value === 'string' && value.trim() !== '')
    )
      return value;
    this.problems.push({
      path: 'seed',
      message: `must be an integer or a non-empty string, got ${show(value)}`,
      fix: 'use an integer such as 42 (the same seed gives the same records)',
    });
    return DEFAULT_SEED;
  }

  kinds(all: readonly string[]): string[] {
    this.seen.add('anomalyKinds');
    const value = this.raw.anomalyKinds;
    if (value === undefined) return [...all];
    const fix = `use a non-empty list of: ${all.join(', ')}`;
    if (!Array.isArray(value) || value.length === 0) {
      this.problems.push({
        path: 'anomalyKinds',
        message: `must be a non-empty list of anomaly kinds, got ${show(value)}`,
        fix,
      });
      return [...all];
    }
    const unknown = value.filter((kind) => typeof kind !== 'string' || !all.includes(kind));
    if (unknown.length) {
      this.problems.push({
        path: 'anomalyKinds',
        message: `the ${this.source} simulator has no anomaly kind ${unknown.map(show).join(', ')}`,
        fix,
      });
      return [...all];
    }
    return all.filter((kind) => value.includes(kind));
  }

  /** Fails on every problem found so far, and on option names nobody read (typos). */
  done(): void {
    const known = [...this.seen];
    for (const name of Object.keys(this.raw)) {
      if (this.seen.has(name) || this.raw[name] === undefined) continue;
      const folded = name.toLowerCase().replace(/[-_]/g, '');
      const meant = known.find((k) => k.toLowerCase() === folded);
      this.problems.push({
        path: name,
        message: `the ${this.source} simulator has no option '${name}'`,
        fix: meant ? `rename it to '${meant}'` : `remove it; the options are ${known.join(', ')}`,
      });
    }
    if (this.problems.length === 0) return;
    const first = this.problems[0] as OptionProblem;
    const lines = this.problems.map((p) => `  - ${p.path}: ${p.message} (fix: ${p.fix})`);
    throw new SluiceError(
      'SLUICE_CONFIG_INVALID',
      [`invalid options for the ${this.source} simulator:`, ...lines].join('\n'),
      {
        path: first.path,
        fix: this.problems.length === 1 ? first.fix : 'correct every option listed',
        details: { source: this.source, problems: this.problems },
      },
    );
  }

  /** The names of the options read so far. */
  get known(): string[] {
    return [...this.seen];
  }

  /** Adds a problem found by a check across options. */
  problem(path: string, message: string, fix: string): void {
    this.problems.push({ path, message, fix });
  }
}

/**
 * How the traffic of a source varies: `daily` follows the source's daily curve around the mean rate with
 * Poisson arrivals (realistic, for the demo and the detectors' evaluation); `steady` holds the rate at
 * every moment (a load generator: `sluice simulate --rate`).
 */
export type TrafficShape = 'daily' | 'steady';
export const TRAFFIC_SHAPES: readonly TrafficShape[] = ['daily', 'steady'];

export function readTraffic(reader: OptionReader): TrafficShape {
  return reader.choice('traffic', TRAFFIC_SHAPES, 'daily', "traffic: 'steady' (hold eventsPerSecond at every moment)");
}

export function readCommonOptions(
  reader: OptionReader,
  kinds: readonly string[],
): Required<Pick<CommonSimulatorOptions, 'seed' | 'anomalyRate'>> & { anomalyKinds: string[] } {
  return {
    seed: reader.seed(),
    anomalyRate: reader.number('anomalyRate', {
      default: DEFAULT_ANOMALY_RATE,
      min: 0,
      max: 3600,
      example: 'anomalyRate: 6 (anomalies per simulated hour; 0 for none)',
    }),
    anomalyKinds: reader.kinds(kinds),
  };
}
