/**
 * NAB scoring (Numenta Anomaly Benchmark v1.1), as its sweeper.py, optimizer and runner compute it:
 *
 * - The first 15% of each file's rows (at most 750) are a probation period: not scored at all.
 * - Each row gets the weight it would earn if detected. Inside a window of W rows whose last row is R,
 *   row i sits at position −(R − i + 1)/W (−1 at the first row, −1/W at the last) and earns
 *   tpWeight·σ(position)/σ(−1), σ(x) = 2/(1 + e^{5x}) − 1 the scaled sigmoid: 1 at the window's start,
 *   falling towards 0 at its end. Outside every window, a row costs fpWeight·σ(position) (σ is
 *   negative past 0), where position is |R − i|/(W − 1) of the last window that ended before it (so a
 *   detection just after a window costs little), and 3 (σ = −1, the full fpWeight) before the first.
 * - A window scores the best weight among its detected rows (its first detection), or −fnWeight when
 *   none is detected; false positives add up.
 * - A detection is a row whose anomaly_score is at or above the threshold. The threshold of a detector
 *   and profile is the one that maximises the score summed over the whole corpus, found by sweeping it
 *   down through every anomaly_score of the corpus (ties go to the higher threshold, as NAB's stable
 *   sort does).
 * - The final score is 100·(S − S_null)/(S_perfect − S_null): S_null is the score of NAB's null
 *   detector (a constant 0.5, thresholded the same way), S_perfect is the number of windows × tpWeight.
 *
 * Differences, both where NAB itself fails: a window of one row followed by rows outside windows makes
 * NAB divide by zero (W − 1 = 0); here those rows cost the full fpWeight. A file whose every score is
 * above the chosen threshold makes NAB's per-file scoring find no row; here every row is a detection.
 */

export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

export const NAB_PROFILES = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
} as const satisfies Record<string, CostMatrix>;

export type ProfileName = keyof typeof NAB_PROFILES;
export const PROFILE_NAMES = Object.keys(NAB_PROFILES) as ProfileName[];

export const PROBATION_PERCENT = 0.15;

/** Rows of a file in probation: 15% of them, at most 750 (NAB: min(floor(0.15·n), 0.15·5000)). */
export function probationLength(rows: number, percent = PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/** NAB's scaled sigmoid: 2·sigmoid(−5x) − 1, and exactly −1 from x = 3 on. */
export function scaledSigmoid(x: number): number {
  return x >= 3 ? -1 : 2 / (1 + Math.exp(5 * x)) - 1;
}

/** A scored row: its anomaly score, what detecting it is worth, and its window (corpus-wide id) or null. */
export interface WeightedRow {
  anomalyScore: number;
  weight: number;
  window: number | null;
}

/** The rows a window covers, inclusive. */
export interface RowWindow {
  firstRow: number;
  lastRow: number;
}

/**
 * The weighted rows of one file (probation rows left out). Window ids are `firstWindowId` + the
 * window's index in the file, so the rows of many files can be swept together.
 */
export function weightRows(
  anomalyScores: readonly number[],
  windows: readonly RowWindow[],
  cost: CostMatrix,
  firstWindowId = 0,
  probationPercent = PROBATION_PERCENT,
): WeightedRow[] {
  const maxTp = scaledSigmoid(-1);
  const probation = probationLength(anomalyScores.length, probationPercent);
  const rows: WeightedRow[] = [];
  let next = 0;
  let current: { w: RowWindow; id: number } | undefined;
  let previous: RowWindow | undefined;
  for (let i = 0; i < anomalyScores.length; i++) {
    const w = windows[next];
    if (!current && w && i === w.firstRow) current = { w, id: firstWindowId + next++ };
    let weight: number;
    let window: number | null = null;
    if (current) {
      const width = current.w.lastRow - current.w.firstRow + 1;
      weight = (scaledSigmoid(-(current.w.lastRow - i + 1) / width) * cost.tpWeight) / maxTp;
      window = current.id;
    } else {
      // Past a one-row window NAB divides by zero; Infinity here gives σ = −1, the full cost.
      const position = previous ? Math.abs(previous.lastRow - i) / (previous.lastRow - previous.firstRow) : 3;
      weight = scaledSigmoid(position) * cost.fpWeight;
    }
    if (i >= probation) rows.push({ anomalyScore: anomalyScores[i] as number, weight, window });
    if (current && i === current.w.lastRow) {
      previous = current.w;
      current = undefined;
    }
  }
  return rows;
}

export interface ThresholdScore {
  threshold: number;
  score: number;
  /** Row counts at this threshold (NAB reports them; the score does not use them). */
  tp: number;
  tn: number;
  fp: number;
  fn: number;
}

/**
 * The score at every threshold, highest threshold first: 1.1 (nothing detected), then each distinct
 * anomaly score, where every row scoring at or above it is a detection (NAB's calcScoreByThreshold).
 */
export function scoresByThreshold(rows: readonly WeightedRow[], cost: CostMatrix): ThresholdScore[] {
  const sorted = [...rows].sort((a, b) => b.anomalyScore - a.anomalyScore);
  const best = new Map<number, number>();
  for (const row of rows) if (row.window !== null) best.set(row.window, -cost.fnWeight);
  let windowScore = -cost.fnWeight * best.size;
  let fpScore = 0;
  let tn = rows.filter((r) => r.window === null).length;
  let fn = rows.length - tn;
  let tp = 0;
  let fp = 0;
  const out: ThresholdScore[] = [];
  let threshold = 1.1;
  for (const row of sorted) {
    if (row.anomalyScore !== threshold) {
      out.push({ threshold, score: fpScore + windowScore, tp, tn, fp, fn });
      threshold = row.anomalyScore;
    }
    if (row.window === null) {
      fp++;
      tn--;
      fpScore += row.weight;
    } else {
      tp++;
      fn--;
      const was = best.get(row.window) as number;
      if (row.weight > was) {
        best.set(row.window, row.weight);
        windowScore += row.weight - was;
      }
    }
  }
  out.push({ threshold, score: fpScore + windowScore, tp, tn, fp, fn });
  return out;
}

/** The best threshold of a sweep: the highest score, the higher threshold on a tie. */
export function bestThreshold(sweep: readonly ThresholdScore[]): ThresholdScore {
  let best = sweep[0] as ThresholdScore;
  for (const s of sweep) if (s.score > best.score) best = s;
  return best;
}

/** The score of rows at a fixed threshold (NAB's scoring step for one file). */
export function scoreAtThreshold(rows: readonly WeightedRow[], threshold: number, cost: CostMatrix): ThresholdScore {
  const best = new Map<number, number>();
  let fpScore = 0;
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (const row of rows) {
    const detected = row.anomalyScore >= threshold;
    if (row.window === null) {
      if (detected) {
        fp++;
        fpScore += row.weight;
      } else tn++;
      continue;
    }
    if (!best.has(row.window)) best.set(row.window, -cost.fnWeight);
    if (detected) {
      tp++;
      best.set(row.window, Math.max(best.get(row.window) as number, row.weight));
    } else fn++;
  }
  let windowScore = 0;
  for (const v of best.values()) windowScore += v;
  return { threshold, score: fpScore + windowScore, tp, tn, fp, fn };
}

/** NAB's normalised score: 0 for the null detector, 100 for a detector that finds every window at its start. */
export function normalise(score: number, nullScore: number, windowCount: number, cost: CostMatrix): number {
  const perfect = windowCount * cost.tpWeight;
  return (100 * (score - nullScore)) / (perfect - nullScore);
}
