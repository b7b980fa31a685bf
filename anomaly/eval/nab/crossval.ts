/**
 * k-fold cross-validation on a NAB corpus: parameters (and the NAB threshold) are chosen on some files
 * and scored on files they were not chosen on.
 *
 * - Folds: the files are split into k folds within each category (sorted by name, dealt round-robin,
 *   each category starting where the previous one stopped), so every fold holds every category.
 * - For each fold, each detector family picks, on the other k − 1 folds only, the setting (one point of
 *   its parameter grid) and the score threshold that maximise NAB's score there; that setting at that
 *   threshold is then scored on the held-out fold, normalised against the null detector on that fold.
 * - The estimate is the held-out scores: each fold, their mean and spread (standard deviation, min–max),
 *   and the pooled score (the held-out folds' raw scores added up, normalised over the whole corpus).
 * - The setting a family would ship is the one the same procedure picks on every file (its training
 *   score is not an estimate of anything: the held-out numbers are).
 *
 * A detector runs once per file and setting (one fresh detector per file, as in runNab); the scores are
 * kept (number of settings × rows, as 8-byte floats) and every fold reuses them.
 */
import type { NabFile } from './corpus';
import { detectFile, type NabCandidate } from './run';
import { NullBaseline } from './baselines';
import {
  NAB_PROFILES,
  PROFILE_NAMES,
  bestThreshold,
  normalise,
  scoreAtThreshold,
  scoresByThreshold,
  weightRows,
  type ProfileName,
  type WeightedRow,
} from './scoring';

export interface CvSetting {
  /** What the setting is, e.g. `window=500 threshold=4`. */
  label: string;
  /** The spec or options it stands for, for the report (plain JSON). */
  options: unknown;
  create: NabCandidate['create'];
}

export interface CvFamily {
  name: string;
  settings: CvSetting[];
}

export interface CvFold {
  fold: number;
  /** Files held out. */
  files: string[];
  /** Chosen on the other folds. */
  setting: string;
  threshold: number;
  /** Normalised score on the training folds at that setting and threshold (optimistic by design). */
  train: number;
  /** Normalised score on the held-out fold: the estimate. */
  heldOut: number;
}

export interface CvProfileResult {
  folds: CvFold[];
  mean: number;
  /** Sample standard deviation of the held-out fold scores. */
  sd: number;
  min: number;
  max: number;
  /** Held-out raw scores of all folds added up, normalised against the null detector on all files. */
  pooled: number;
  /** The setting and threshold the procedure picks on every file: what would ship. */
  chosen: { setting: string; options: unknown; threshold: number; score: number };
}

export interface CvResult {
  detector: string;
  settings: number;
  profiles: Record<ProfileName, CvProfileResult>;
  /** Time spent running the detector over the corpus, all settings, ms. */
  elapsedMs: number;
  /** Points the detector scored but did not learn (out-of-order rows), summed over files, first setting. */
  stalePoints: number;
}

/** Fold of each file (same order as `files`), stratified by category. */
export function assignFolds(files: readonly Pick<NabFile, 'path' | 'category'>[], k: number): number[] {
  if (!Number.isInteger(k) || k < 2 || k > files.length)
    throw new RangeError(`k-fold needs 2 ≤ k ≤ ${files.length} files, got ${k}`);
  const byCategory = new Map<string, number[]>();
  files.forEach((f, i) => byCategory.set(f.category, [...(byCategory.get(f.category) ?? []), i]));
  const folds = new Array<number>(files.length).fill(0);
  let next = 0;
  for (const category of [...byCategory.keys()].sort()) {
    const indices = (byCategory.get(category) as number[]).sort((a, b) =>
      (files[a] as NabFile).path.localeCompare((files[b] as NabFile).path),
    );
    for (const i of indices) {
      folds[i] = next;
      next = (next + 1) % k;
    }
  }
  return folds;
}

interface Prepared {
  /** Per profile, per file: the weighted rows without scores (weights and windows only). */
  weights: Record<ProfileName, WeightedRow[][]>;
  /** Per profile, per file: the null detector's rows. */
  windowsPerFile: number[];
}

function prepare(files: readonly NabFile[]): Prepared {
  const weights = {} as Record<ProfileName, WeightedRow[][]>;
  for (const profile of PROFILE_NAMES) {
    let id = 0;
    weights[profile] = files.map((f) => {
      const rows = weightRows(new Array<number>(f.values.length).fill(0), f.windows, NAB_PROFILES[profile], id);
      id += f.windows.length;
      return rows;
    });
  }
  return { weights, windowsPerFile: files.map((f) => f.windows.length) };
}

/** The rows of the files `which`, with the scores of one setting. */
function rowsOf(
  prepared: Prepared,
  profile: ProfileName,
  scores: readonly Float64Array[],
  which: number[],
): WeightedRow[] {
  const out: WeightedRow[] = [];
  for (const i of which) {
    const rows = prepared.weights[profile][i] as WeightedRow[];
    const s = scores[i] as Float64Array;
    // Probation rows are not in `rows`: they are the first ones of the file.
    const offset = s.length - rows.length;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as WeightedRow;
      out.push({ anomalyScore: s[offset + r] as number, weight: row.weight, window: row.window });
    }
  }
  return out;
}

function nullRaw(prepared: Prepared, profile: ProfileName, files: readonly NabFile[], which: number[]): number {
  const scores = files.map((f) => new Float64Array(f.values.length).fill(new NullBaseline().observe().score));
  return bestThreshold(scoresByThreshold(rowsOf(prepared, profile, scores, which), NAB_PROFILES[profile])).score;
}

function windowsIn(prepared: Prepared, which: number[]): number {
  return which.reduce((n, i) => n + (prepared.windowsPerFile[i] as number), 0);
}

/**
 * One setting's scored rows of every file, sorted once by anomaly score (highest first) and swept for
 * any subset of files and any profile: the same sweep as scoresByThreshold + bestThreshold, without
 * sorting again for each fold.
 */
class SortedRows {
  private readonly order: Int32Array;
  private readonly score: Float64Array;
  private readonly file: Int32Array;
  private readonly window: Int32Array;
  private readonly weights: Record<ProfileName, Float64Array>;

  constructor(prepared: Prepared, scores: readonly Float64Array[]) {
    const n = (prepared.weights.standard as WeightedRow[][]).reduce((s, rows) => s + rows.length, 0);
    this.score = new Float64Array(n);
    this.file = new Int32Array(n);
    this.window = new Int32Array(n);
    this.weights = {} as Record<ProfileName, Float64Array>;
    for (const p of PROFILE_NAMES) this.weights[p] = new Float64Array(n);
    let r = 0;
    prepared.weights.standard.forEach((rows, f) => {
      const s = scores[f] as Float64Array;
      const offset = s.length - rows.length;
      rows.forEach((row, j) => {
        this.score[r] = s[offset + j] as number;
        this.file[r] = f;
        this.window[r] = row.window === null ? -1 : row.window;
        for (const p of PROFILE_NAMES)
          (this.weights[p] as Float64Array)[r] = (prepared.weights[p][f] as WeightedRow[])[j]!.weight;
        r++;
      });
    });
    const order = Array.from({ length: n }, (_, i) => i);
    // Stable: rows of equal score keep file order, as NAB's stable sort does.
    order.sort((a, b) => (this.score[b] as number) - (this.score[a] as number) || a - b);
    this.order = Int32Array.from(order);
  }

  /** The best threshold and raw score over the files where `inSet[file]` (ties: the higher threshold). */
  best(profile: ProfileName, inSet: Uint8Array): { threshold: number; score: number } {
    const cost = NAB_PROFILES[profile];
    const weights = this.weights[profile];
    const bestOfWindow = new Map<number, number>();
    for (let i = 0; i < this.order.length; i++) {
      const r = this.order[i] as number;
      const w = this.window[r] as number;
      if (w >= 0 && inSet[this.file[r] as number]) bestOfWindow.set(w, -cost.fnWeight);
    }
    let windowScore = -cost.fnWeight * bestOfWindow.size;
    let fpScore = 0;
    let threshold = 1.1;
    let best = { threshold, score: windowScore };
    for (let i = 0; i < this.order.length; i++) {
      const r = this.order[i] as number;
      if (!inSet[this.file[r] as number]) continue;
      const s = this.score[r] as number;
      if (s !== threshold) {
        if (fpScore + windowScore > best.score) best = { threshold, score: fpScore + windowScore };
        threshold = s;
      }
      const w = this.window[r] as number;
      const weight = weights[r] as number;
      if (w < 0) fpScore += weight;
      else {
        const was = bestOfWindow.get(w) as number;
        if (weight > was) {
          bestOfWindow.set(w, weight);
          windowScore += weight - was;
        }
      }
    }
    if (fpScore + windowScore > best.score) best = { threshold, score: fpScore + windowScore };
    return best;
  }
}

export interface CrossValidateOptions {
  k?: number;
  onProgress?: (line: string) => void;
}

export function crossValidate(
  files: readonly NabFile[],
  families: readonly CvFamily[],
  options: CrossValidateOptions = {},
): { folds: number[]; k: number; results: CvResult[] } {
  const k = options.k ?? 4;
  const folds = assignFolds(files, k);
  const prepared = prepare(files);
  const all = files.map((_, i) => i);
  const trainOf = (fold: number) => all.filter((i) => folds[i] !== fold);
  const testOf = (fold: number) => all.filter((i) => folds[i] === fold);
  const nulls = new Map<string, number>();
  const nullOf = (profile: ProfileName, which: number[]) => {
    const key = `${profile}/${which.join(',')}`;
    if (!nulls.has(key)) nulls.set(key, nullRaw(prepared, profile, files, which));
    return nulls.get(key) as number;
  };

  const results: CvResult[] = [];
  for (const family of families) {
    const started = performance.now();
    let stalePoints = 0;
    const scores = family.settings.map((setting, s) =>
      files.map((f) => {
        const d = detectFile({ name: family.name, create: setting.create }, f);
        if (s === 0) stalePoints += d.stalePoints;
        return Float64Array.from(d.scores);
      }),
    );
    const elapsedMs = performance.now() - started;
    const sorted = scores.map((perFile) => new SortedRows(prepared, perFile));
    const profiles = {} as Record<ProfileName, CvProfileResult>;
    for (const profile of PROFILE_NAMES) {
      const cost = NAB_PROFILES[profile];
      /** Best setting and threshold on `which`: highest raw score, the earlier setting on a tie. */
      const fit = (which: number[]) => {
        const inSet = new Uint8Array(files.length);
        for (const i of which) inSet[i] = 1;
        let best = { setting: 0, threshold: 1.1, raw: -Infinity };
        sorted.forEach((rows, s) => {
          const b = rows.best(profile, inSet);
          if (b.score > best.raw) best = { setting: s, threshold: b.threshold, raw: b.score };
        });
        return best;
      };
      const foldResults: CvFold[] = [];
      let pooledRaw = 0;
      for (let fold = 0; fold < k; fold++) {
        const train = trainOf(fold);
        const test = testOf(fold);
        const best = fit(train);
        const testRaw = scoreAtThreshold(
          rowsOf(prepared, profile, scores[best.setting] as Float64Array[], test),
          best.threshold,
          cost,
        ).score;
        pooledRaw += testRaw;
        foldResults.push({
          fold,
          files: test.map((i) => (files[i] as NabFile).path),
          setting: (family.settings[best.setting] as CvSetting).label,
          threshold: best.threshold,
          train: normalise(best.raw, nullOf(profile, train), windowsIn(prepared, train), cost),
          heldOut: normalise(testRaw, nullOf(profile, test), windowsIn(prepared, test), cost),
        });
      }
      const held = foldResults.map((f) => f.heldOut);
      const mean = held.reduce((a, b) => a + b, 0) / k;
      const sd = Math.sqrt(held.reduce((a, b) => a + (b - mean) ** 2, 0) / (k - 1));
      const chosen = fit(all);
      const setting = family.settings[chosen.setting] as CvSetting;
      profiles[profile] = {
        folds: foldResults,
        mean,
        sd,
        min: Math.min(...held),
        max: Math.max(...held),
        pooled: normalise(pooledRaw, nullOf(profile, all), windowsIn(prepared, all), cost),
        chosen: {
          setting: setting.label,
          options: setting.options,
          threshold: chosen.threshold,
          score: normalise(chosen.raw, nullOf(profile, all), windowsIn(prepared, all), cost),
        },
      };
    }
    const p = profiles.standard;
    options.onProgress?.(
      `nab cv: ${family.name}, ${family.settings.length} settings in ${(elapsedMs / 1000).toFixed(1)}s: held-out standard ${p.folds.map((f) => f.heldOut.toFixed(1)).join(' / ')}, mean ${p.mean.toFixed(1)} ± ${p.sd.toFixed(1)}`,
    );
    results.push({ detector: family.name, settings: family.settings.length, profiles, elapsedMs, stalePoints });
  }
  return { folds, k, results };
}
