/**
 * Online anomaly detectors, one per series. `createDetector(spec)` builds one from its JSON spec
 * (checked: SLUICE_CONFIG_INVALID names the option at fault); feed it with `observe()`, call `tick()`
 * on a timer for absence rules, and keep `snapshot()` to `restore()` after a restart.
 * docs/guides/anomaly-detection.md describes each detector and its options.
 */
import { ContextDetector } from './context';
import { EnsembleDetector } from './ensemble';
import { LikelihoodDetector } from './likelihood';
import { ResonanceDetector } from './resonance';
import { ShapeDetector } from './shape';
import { RULE_KINDS, STATISTICAL_KINDS, createRule, createStatistical, specObject, unknownKind } from './factory';
import type {
  Detector,
  DetectorKind,
  DetectorSpec,
  EnsembleSpec,
  LikelihoodSpec,
  RawSpec,
  RuleSpec,
  StatisticalSpec,
} from './types';

export type * from './types';
export { ALERT_SCORE } from './types';
export { EnsembleDetector, ENSEMBLE_DEFAULTS } from './ensemble';
export { EwmaDetector, EWMA_DEFAULTS } from './ewma';
export { RobustZDetector, ROBUST_Z_DEFAULTS } from './robust-z';
export { SeasonalDetector, SEASONAL_DEFAULTS } from './seasonal';
export { ContextDetector, CONTEXT_DEFAULTS } from './context';
export { LikelihoodDetector, LIKELIHOOD_DEFAULTS } from './likelihood';
export { ShapeDetector, SHAPE_DEFAULTS } from './shape';
export { ResonanceDetector, RESONANCE_DEFAULTS } from './resonance';
export { AbsenceRule, RateOfChangeRule, ThresholdRule } from './rules';
export { STATISTICAL_DEFAULTS } from './base';

export const DETECTOR_KINDS: readonly DetectorKind[] = [
  ...STATISTICAL_KINDS,
  'context',
  'shape',
  'resonance',
  'likelihood',
  ...RULE_KINDS,
  'ensemble',
];

/**
 * The detector the service uses when a series' spec names none: the setting NAB's cross-validation
 * picks (`sluice eval anomaly`: the best mean held-out score of the families, and the setting every
 * fold chose; docs/guides/anomaly-detection.md, "How the default was chosen").
 */
export const DEFAULT_DETECTOR: DetectorSpec = { kind: 'seasonal', threshold: 8, cooldown: 200 };

export function createDetector(spec: DetectorSpec = DEFAULT_DETECTOR): Detector {
  const s = specObject(spec, 'detector');
  if (
    s.kind === 'ensemble' ||
    s.kind === 'context' ||
    s.kind === 'shape' ||
    s.kind === 'resonance' ||
    s.kind === 'likelihood'
  ) {
    const { kind: _kind, ...options } = s;
    if (s.kind === 'context') return new ContextDetector(options);
    if (s.kind === 'shape') return new ShapeDetector(options);
    if (s.kind === 'resonance') return new ResonanceDetector(options);
    if (s.kind === 'likelihood') return new LikelihoodDetector(options);
    return new EnsembleDetector(options);
  }
  if ((STATISTICAL_KINDS as readonly unknown[]).includes(s.kind)) return createStatistical(spec as StatisticalSpec);
  if ((RULE_KINDS as readonly unknown[]).includes(s.kind)) return createRule(spec as RuleSpec, 'detector');
  throw unknownKind(s.kind, DETECTOR_KINDS, 'detector');
}

/**
 * The detector of a series whose spec gives a detector and, beside it, rules (the pipeline spec's
 * `anomaly.series[].metrics[]`): the rules join an ensemble's own; a single detector becomes the one
 * member (or, for a rule, one more rule) of an ensemble, keeping its warm-up and cooldown; with no
 * rules the detector is used as it is; with no detector the default (DEFAULT_DETECTOR) takes the rules.
 */
export function withRules(detector: DetectorSpec | undefined, rules: readonly RuleSpec[] = []): DetectorSpec {
  const base = detector ?? DEFAULT_DETECTOR;
  if (rules.length === 0) return base;
  if (base.kind === 'ensemble') return { ...base, rules: [...(base.rules ?? []), ...rules] };
  if ((RULE_KINDS as readonly string[]).includes(base.kind))
    return { kind: 'ensemble', members: [], rules: [base as RuleSpec, ...rules] };
  const member = base as RawSpec | LikelihoodSpec;
  const ensemble: EnsembleSpec = { kind: 'ensemble', members: [member], rules: [...rules] };
  if ('warmup' in member && member.warmup !== undefined) ensemble.warmup = member.warmup;
  if (member.cooldown !== undefined) ensemble.cooldown = member.cooldown;
  return ensemble;
}
