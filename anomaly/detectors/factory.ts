/** Builds the single detectors from their specs (the ensemble is built in index.ts, from these). */
import { SluiceError } from '../../lib/errors';
import { ContextDetector } from './context';
import { EwmaDetector } from './ewma';
// likelihood.ts imports createRaw from here: the cycle is only used at call time, never while loading.
import { LikelihoodDetector } from './likelihood';
import { RobustZDetector } from './robust-z';
import { AbsenceRule, RateOfChangeRule, ThresholdRule } from './rules';
import { ResonanceDetector } from './resonance';
import { SeasonalDetector } from './seasonal';
import { ShapeDetector } from './shape';
import type { Detector, LikelihoodSpec, RawSpec, RuleSpec, StatisticalSpec } from './types';

export const STATISTICAL_KINDS = ['robust-z', 'ewma', 'seasonal'] as const;
/** Detectors whose score can be combined (ensemble members) or post-processed (likelihood). */
export const RAW_KINDS = [...STATISTICAL_KINDS, 'context', 'shape', 'resonance', 'likelihood'] as const;
export const RULE_KINDS = ['threshold', 'rate-of-change', 'absence'] as const;

function specObject(spec: unknown, where: string): Record<string, unknown> {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new SluiceError(
      'SLUICE_CONFIG_INVALID',
      `${where}: a detector spec must be an object with a kind, got ${JSON.stringify(spec)}`,
      {
        path: where,
        fix: "write it as { kind: 'robust-z' } (or ewma, seasonal, threshold, rate-of-change, absence, ensemble) with its options",
      },
    );
  }
  return spec as Record<string, unknown>;
}

function rest(spec: Record<string, unknown>): Record<string, unknown> {
  const { kind: _kind, ...options } = spec;
  return options;
}

export function createStatistical(
  spec: StatisticalSpec,
  where = 'detector',
): RobustZDetector | EwmaDetector | SeasonalDetector {
  const s = specObject(spec, where);
  switch (s.kind) {
    case 'robust-z':
      return new RobustZDetector(rest(s));
    case 'ewma':
      return new EwmaDetector(rest(s));
    case 'seasonal':
      return new SeasonalDetector(rest(s));
    default:
      throw unknownKind(s.kind, STATISTICAL_KINDS, where);
  }
}

/** A raw-score detector without its own cooldown (its owner holds flags back). */
export function createRaw(spec: RawSpec | LikelihoodSpec, where: string): Detector {
  const s = specObject(spec, where);
  switch (s.kind) {
    case 'context':
      return new ContextDetector({ ...rest(s), cooldown: 0 });
    case 'shape':
      return new ShapeDetector({ ...rest(s), cooldown: 0 });
    case 'resonance':
      return new ResonanceDetector({ ...rest(s), cooldown: 0 });
    case 'likelihood':
      return new LikelihoodDetector({ ...rest(s), cooldown: 0 });
    case 'robust-z':
    case 'ewma':
    case 'seasonal':
      return createStatistical({ ...s, cooldown: 0 } as StatisticalSpec, where);
    default:
      throw unknownKind(s.kind, RAW_KINDS, where);
  }
}

export function createRule(spec: RuleSpec, where = 'rule'): Detector {
  const s = specObject(spec, where);
  switch (s.kind) {
    case 'threshold':
      return new ThresholdRule(rest(s));
    case 'rate-of-change':
      return new RateOfChangeRule(rest(s) as Omit<RuleSpec & { kind: 'rate-of-change' }, 'kind'>);
    case 'absence':
      return new AbsenceRule(rest(s) as Omit<RuleSpec & { kind: 'absence' }, 'kind'>);
    default:
      throw unknownKind(s.kind, RULE_KINDS, where);
  }
}

export function unknownKind(kind: unknown, kinds: readonly string[], where: string): SluiceError {
  return new SluiceError('SLUICE_CONFIG_INVALID', `${where}: there is no detector kind ${JSON.stringify(kind)} here`, {
    path: `${where}.kind`,
    fix: `use one of: ${kinds.join(', ')}`,
  });
}

export { specObject };
