/**
 * The default detector: several statistical detectors vote, and rules from the spec override them.
 *
 * Voting: the ensemble's statistical score is the mean of its members' scores. Each member scores 0.5
 * at its own alert line, so the ensemble flags when its members are on average at their line: a point
 * one view finds extreme (score near 1) is flagged only if the others find it at least somewhat odd
 * (0.25 each, for three members), and a daily peak that the seasonal baseline knows, or a level shift
 * the EWMA has already followed, is not. Rules are absolute: a broken rule scores 1 and flags at once.
 *
 * Warm-up: nothing statistical is flagged before `warmup` points, nor before every member is warm.
 * Cooldown: after a flag the next `cooldown` points score 0 on the statistical side, so one incident
 * raises one alert, not one per window; rules are never held back.
 */
import { SluiceError } from '../../lib/errors';
import { StateReader } from './base';
import { createRaw, createRule, specObject } from './factory';
import {
  ALERT_SCORE,
  type Band,
  type Detector,
  type DetectorSnapshot,
  type EnsembleSpec,
  type Json,
  type Observation,
  type Point,
  type RawSpec,
  type RuleSpec,
} from './types';
import { checkNumber } from './score';

export const ENSEMBLE_DEFAULTS = {
  members: [{ kind: 'robust-z' }, { kind: 'ewma' }, { kind: 'seasonal' }] as RawSpec[],
  warmup: 30,
  cooldown: 50,
} as const;

export class EnsembleDetector implements Detector {
  readonly kind = 'ensemble' as const;
  private readonly members: Detector[];
  private readonly rules: Detector[];
  private readonly warmup: number;
  private readonly cooldown: number;
  private readonly combine: 'mean' | 'max';
  private seen = 0;
  private last = -Infinity;
  /** Points still to pass before the statistical side may flag again. */
  private quiet = 0;
  private stale = 0;

  constructor(spec: Omit<EnsembleSpec, 'kind'> = {}) {
    const s = specObject({ kind: 'ensemble', ...spec }, 'ensemble') as unknown as EnsembleSpec;
    const members = s.members ?? ENSEMBLE_DEFAULTS.members;
    const rules = s.rules ?? [];
    if (!Array.isArray(members) || !Array.isArray(rules)) {
      throw new SluiceError(
        'SLUICE_CONFIG_INVALID',
        'detector ensemble: members and rules must be lists of detector specs',
        { path: 'ensemble.members', fix: "write members: [{ kind: 'robust-z' }, …]" },
      );
    }
    // The ensemble holds back its own flags; a member's cooldown would hide its vote instead.
    this.members = members.map((m, i) => createRaw(m, `ensemble.members[${i}]`));
    if (s.combine !== undefined && s.combine !== 'mean' && s.combine !== 'max') {
      throw new SluiceError(
        'SLUICE_CONFIG_INVALID',
        `detector ensemble: combine must be 'mean' or 'max', got ${JSON.stringify(s.combine)}`,
        {
          path: 'ensemble.combine',
          fix: "leave it out (the members vote: their mean) or use 'max' (any member at its line flags)",
        },
      );
    }
    this.combine = s.combine ?? 'mean';
    this.rules = rules.map((r: RuleSpec, i) => createRule(r, `ensemble.rules[${i}]`));
    checkNumber('ensemble', 'warmup', s.warmup, { min: 0, integer: true });
    checkNumber('ensemble', 'cooldown', s.cooldown, { min: 0, integer: true });
    if (this.members.length === 0 && this.rules.length === 0) {
      throw new SluiceError('SLUICE_CONFIG_INVALID', 'detector ensemble: has neither members nor rules', {
        path: 'ensemble',
        fix: 'leave members out for the default three, or add rules',
      });
    }
    this.warmup = s.warmup ?? ENSEMBLE_DEFAULTS.warmup;
    this.cooldown = s.cooldown ?? ENSEMBLE_DEFAULTS.cooldown;
  }

  /** The ensemble's own count (its members count the same points again). */
  get stalePoints(): number {
    return this.stale;
  }

  observe(point: Point): Observation {
    const learnable = Number.isFinite(point.value) && point.timestamp > this.last;
    if (Number.isFinite(point.value) && !learnable) this.stale++;
    const votes = this.members.map((m) => m.observe(point));
    const verdicts = this.rules.map((r) => r.observe(point));
    const warm = this.members.length === 0 || (this.seen >= this.warmup && votes.every((v) => v.warm));

    let statistical = 0;
    const reasons: string[] = [];
    if (this.members.length > 0 && warm)
      statistical =
        this.combine === 'max'
          ? Math.max(...votes.map((v) => v.score))
          : votes.reduce((sum, v) => sum + v.score, 0) / votes.length;
    if (learnable && this.quiet > 0) {
      this.quiet--;
      statistical = 0;
    }
    let anomalous = learnable && statistical >= ALERT_SCORE;
    if (anomalous) {
      // Members judge without their own alert line here, so give the reason of each that is past it.
      for (const v of votes) if (v.score >= ALERT_SCORE) reasons.push(...v.reasons);
      if (reasons.length === 0)
        reasons.push(`ensemble: members score ${votes.map((v) => v.score.toFixed(2)).join(', ')}`);
      this.quiet = this.cooldown;
    }
    let score = statistical;
    for (const v of verdicts) {
      if (v.anomalous) {
        score = 1;
        anomalous = true;
        reasons.push(...v.reasons);
      }
    }
    if (learnable) {
      this.seen++;
      this.last = point.timestamp;
    }
    return { score, expected: this.band(votes, verdicts), anomalous, warm, reasons };
  }

  /**
   * The values no part would flag: the members' bands averaged (exact for members whose score grows
   * alike with the deviation, a guide otherwise), then narrowed by the rules.
   */
  private band(votes: Observation[], verdicts: Observation[]): Band {
    let low = -Infinity;
    let high = Infinity;
    // Members that expect nothing yet (no point learned) have no band.
    const known = votes.filter((v) => !Number.isNaN(v.expected.low) && !Number.isNaN(v.expected.high));
    if (known.length > 0) {
      low = known.reduce((s, v) => s + v.expected.low, 0) / known.length;
      high = known.reduce((s, v) => s + v.expected.high, 0) / known.length;
    }
    for (const v of verdicts) {
      low = Math.max(low, v.expected.low);
      high = Math.min(high, v.expected.high);
    }
    return { low, high };
  }

  tick(now: number): Observation | undefined {
    for (const rule of this.rules) {
      const observation = rule.tick(now);
      if (observation) return observation;
    }
    return undefined;
  }

  snapshot(): DetectorSnapshot {
    return {
      kind: this.kind,
      version: 1,
      state: {
        seen: this.seen,
        last: Number.isFinite(this.last) ? this.last : null,
        quiet: this.quiet,
        members: this.members.map((m) => m.snapshot() as unknown as Json),
        rules: this.rules.map((r) => r.snapshot() as unknown as Json),
      },
    };
  }

  restore(snapshot: DetectorSnapshot): void {
    const reader = new StateReader(snapshot, this.kind, 1);
    const seen = reader.integer('seen');
    const last = reader.nullableNumber('last');
    const quiet = reader.integer('quiet');
    const members = reader.list('members');
    const rules = reader.list('rules');
    if (members.length !== this.members.length || rules.length !== this.rules.length) {
      reader.fail(
        'members',
        `has ${members.length} members and ${rules.length} rules; this ensemble has ${this.members.length} and ${this.rules.length}`,
      );
    }
    // All or nothing: a member that cannot take its state puts the others back as they were.
    const parts = [...this.members, ...this.rules];
    const saved = [...members, ...rules] as unknown as DetectorSnapshot[];
    const before = parts.map((p) => p.snapshot());
    try {
      parts.forEach((p, i) => p.restore(saved[i] as DetectorSnapshot));
    } catch (error) {
      parts.forEach((p, i) => p.restore(before[i] as DetectorSnapshot));
      throw error;
    }
    this.seen = seen;
    this.last = last ?? -Infinity;
    this.quiet = quiet;
  }
}
