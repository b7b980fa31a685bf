/**
 * Online anomaly detectors, one per series. `createDetector(spec)` builds one from its JSON spec
 * (checked: SLUICE_CONFIG_INVALID names the option at fault); feed it with `observe()`, call `tick()`
 * on a timer for absence rules, and keep `snapshot()` to `restore()` after a restart.
 * docs/guides/anomaly-detection.md describes each detector and its options.
 */
import { EnsembleDetector } from './ensemble';
import { RULE_KINDS, STATISTICAL_KINDS, createRule, createStatistical, specObject, unknownKind } from './factory';
import type { Detector, DetectorKind, DetectorSpec, RuleSpec, StatisticalSpec } from './types';

export type * from './types';
export { ALERT_SCORE } from './types';
export { EnsembleDetector, ENSEMBLE_DEFAULTS } from './ensemble';
export { EwmaDetector, EWMA_DEFAULTS } from './ewma';
export { RobustZDetector, ROBUST_Z_DEFAULTS } from './robust-z';
export { SeasonalDetector, SEASONAL_DEFAULTS } from './seasonal';
export { AbsenceRule, RateOfChangeRule, ThresholdRule } from './rules';
export { STATISTICAL_DEFAULTS } from './base';

export const DETECTOR_KINDS: readonly DetectorKind[] = [...STATISTICAL_KINDS, ...RULE_KINDS, 'ensemble'];

/** The detector the service uses when a series' spec names none. */
export const DEFAULT_DETECTOR: DetectorSpec = { kind: 'ensemble' };

export function createDetector(spec: DetectorSpec = DEFAULT_DETECTOR): Detector {
  const s = specObject(spec, 'detector');
  if (s.kind === 'ensemble') {
    const { kind: _kind, ...options } = s;
    return new EnsembleDetector(options);
  }
  if ((STATISTICAL_KINDS as readonly unknown[]).includes(s.kind)) return createStatistical(spec as StatisticalSpec);
  if ((RULE_KINDS as readonly unknown[]).includes(s.kind)) return createRule(spec as RuleSpec, 'detector');
  throw unknownKind(s.kind, DETECTOR_KINDS, 'detector');
}
