/**
 * The NAB scorer on files small enough to score by hand. Notation: σ(x) = 2/(1 + e^{5x}) − 1 =
 * −tanh(5x/2), so σ(−1) = tanh 2.5 = 0.986614 (the largest true positive, scaled to 1).
 *
 * The main case, `TEN`: 10 rows, one window on rows 3..5 (W = 3), no probation, standard profile
 * (tp 1, fp 0.11, fn 1). What detecting each row earns:
 *   rows 0–2, before any window:      −0.11 each (σ(3) = −1)
 *   row 3, position −3/3:             σ(−1)/σ(−1) = 1
 *   row 4, position −2/3:             tanh(5/3)/tanh(2.5) = 0.943742
 *   row 5, position −1/3:             tanh(5/6)/tanh(2.5) = 0.691518
 *   rows 6–9, |5 − i|/(W − 1) = 0.5, 1, 1.5, 2:  0.11·σ = −0.093311, −0.108528, −0.109878, −0.109990
 */
import {
  NAB_PROFILES,
  bestThreshold,
  normalise,
  probationLength,
  scaledSigmoid,
  scoreAtThreshold,
  scoresByThreshold,
  weightRows,
  type CostMatrix,
} from './scoring';

const STANDARD: CostMatrix = NAB_PROFILES.standard;
const TEN_WINDOW = [{ firstRow: 3, lastRow: 5 }];
const scoresWith = (n: number, hits: Record<number, number>) => Array.from({ length: n }, (_, i) => hits[i] ?? 0);

describe('the scaled sigmoid and the probation period', () => {
  test('σ is 2·sigmoid(−5x) − 1: 0.98661 at −1, 0 at 0, −0.98661 at 1, and −1 from 3 on', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.986614, 6);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.848284, 6);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.986614, 6);
    expect(scaledSigmoid(3)).toBe(-1);
    expect(scaledSigmoid(2.999)).toBeGreaterThan(-1);
  });

  test('probation is 15% of the rows, rounded down, at most 750', () => {
    expect(probationLength(100)).toBe(15);
    expect(probationLength(4032)).toBe(604);
    expect(probationLength(4999)).toBe(749);
    expect(probationLength(5000)).toBe(750);
    expect(probationLength(15902)).toBe(750);
  });
});

describe('weights of the rows', () => {
  test('inside a window they fall from 1 at its start; outside they cost fp, less just after a window', () => {
    const rows = weightRows(scoresWith(10, {}), TEN_WINDOW, STANDARD, 0, 0);
    const expected = [-0.11, -0.11, -0.11, 1, 0.943742, 0.691518, -0.093311, -0.108528, -0.109878, -0.10999];
    rows.forEach((r, i) => expect(r.weight).toBeCloseTo(expected[i] as number, 5));
    expect(rows.map((r) => r.window)).toEqual([null, null, null, 0, 0, 0, null, null, null, null]);
  });

  test('probation rows are left out entirely', () => {
    // 20 rows: floor(0.15 · 20) = 3 rows of probation.
    const rows = weightRows(scoresWith(20, { 1: 1 }), [{ firstRow: 10, lastRow: 12 }], STANDARD);
    expect(rows).toHaveLength(17);
    expect(rows.every((r) => r.anomalyScore === 0)).toBe(true);
  });

  test('after a second window, false positives are weighed by the nearer (second) window', () => {
    // Windows on rows 2..3 (W = 2) and 6..10 (W = 5); row 12 is |10 − 12|/4 = 0.5 past the second.
    const rows = weightRows(
      scoresWith(14, {}),
      [
        { firstRow: 2, lastRow: 3 },
        { firstRow: 6, lastRow: 10 },
      ],
      STANDARD,
      7,
      0,
    );
    expect(rows[4]!.weight).toBeCloseTo(0.11 * scaledSigmoid(1), 6); // |3 − 4|/(2 − 1) = 1
    expect(rows[12]!.weight).toBeCloseTo(-0.11 * Math.tanh(1.25), 6);
    expect(rows[6]!.window).toBe(8); // ids start at firstWindowId
  });

  test('past a one-row window (where NAB divides by zero) a false positive costs the full fp', () => {
    const rows = weightRows(scoresWith(6, {}), [{ firstRow: 2, lastRow: 2 }], STANDARD, 0, 0);
    expect(rows[2]!.weight).toBeCloseTo(1, 10);
    expect(rows[3]!.weight).toBe(-0.11);
  });
});

describe('scores by threshold', () => {
  // Row 4 (in the window) scores 0.9, row 6 (just after it) 0.8, the rest 0.
  const rows = weightRows(scoresWith(10, { 4: 0.9, 6: 0.8 }), TEN_WINDOW, STANDARD, 0, 0);

  test('sweeps from 1.1 (nothing detected: −fn) down through each distinct score', () => {
    const sweep = scoresByThreshold(rows, STANDARD);
    expect(sweep.map((s) => s.threshold)).toEqual([1.1, 0.9, 0.8, 0]);
    expect(sweep[0]!.score).toBe(-1);
    expect(sweep[1]!.score).toBeCloseTo(0.943742, 5); // row 4 only
    expect(sweep[2]!.score).toBeCloseTo(0.943742 - 0.093311, 5); // plus the FP on row 6
    // Everything: the window's first row (1), FPs on rows 0–2 and 6–9.
    expect(sweep[3]!.score).toBeCloseTo(1 - 0.33 - 0.093311 - 0.108528 - 0.109878 - 0.10999, 5);
    expect(sweep[2]).toMatchObject({ tp: 1, fp: 1, tn: 6, fn: 2 });
  });

  test('only the first detection of a window counts, and detecting more of it adds nothing', () => {
    const twice = weightRows(scoresWith(10, { 4: 0.9, 5: 0.9 }), TEN_WINDOW, STANDARD, 0, 0);
    expect(scoreAtThreshold(twice, 0.5, STANDARD).score).toBeCloseTo(0.943742, 5);
    const late = weightRows(scoresWith(10, { 5: 0.9 }), TEN_WINDOW, STANDARD, 0, 0);
    expect(scoreAtThreshold(late, 0.5, STANDARD).score).toBeCloseTo(0.691518, 5);
  });

  test('the best threshold is the highest score, the higher threshold on a tie', () => {
    expect(bestThreshold(scoresByThreshold(rows, STANDARD)).threshold).toBe(0.9);
    // Rows 4 and 5 both in the window: thresholds 0.9 and 0.7 score the same (the first detection).
    const tie = weightRows(scoresWith(10, { 4: 0.9, 5: 0.7 }), TEN_WINDOW, STANDARD, 0, 0);
    const best = bestThreshold(scoresByThreshold(tie, STANDARD));
    expect(best.threshold).toBe(0.9);
  });

  test('a fixed threshold scores as the sweep does at that threshold', () => {
    for (const s of scoresByThreshold(rows, STANDARD)) {
      expect(scoreAtThreshold(rows, s.threshold, STANDARD).score).toBeCloseTo(s.score, 10);
    }
    // Between two scores, a threshold detects what the next higher one does.
    expect(scoreAtThreshold(rows, 0.85, STANDARD).score).toBeCloseTo(0.943742, 5);
  });

  test('the profiles weigh misses and false alarms differently', () => {
    const miss = weightRows(scoresWith(10, { 8: 0.9 }), TEN_WINDOW, NAB_PROFILES.reward_low_FN_rate, 0, 0);
    expect(scoreAtThreshold(miss, 0.5, NAB_PROFILES.reward_low_FN_rate).score).toBeCloseTo(-2 - 0.109878, 5);
    const fp = weightRows(scoresWith(10, { 8: 0.9 }), TEN_WINDOW, NAB_PROFILES.reward_low_FP_rate, 0, 0);
    expect(scoreAtThreshold(fp, 0.5, NAB_PROFILES.reward_low_FP_rate).score).toBeCloseTo(
      -1 - 0.22 * Math.tanh(3.75),
      5,
    );
  });
});

describe('normalisation', () => {
  test('100·(S − S_null)/(S_perfect − S_null), where the null detector also gets its best threshold', () => {
    // The null detector (0.5 everywhere) either detects nothing (−1) or everything (0.248293, above).
    const nullRows = weightRows(new Array(10).fill(0.5), TEN_WINDOW, STANDARD, 0, 0);
    const nullScore = bestThreshold(scoresByThreshold(nullRows, STANDARD)).score;
    expect(nullScore).toBeCloseTo(0.248293, 5);
    // Detecting row 4 alone: 100 · (0.943742 − 0.248293) / (1 − 0.248293) = 92.516.
    expect(normalise(0.943742, nullScore, 1, STANDARD)).toBeCloseTo(92.516, 2);
    expect(normalise(nullScore, nullScore, 1, STANDARD)).toBe(0);
    expect(normalise(1, nullScore, 1, STANDARD)).toBeCloseTo(100, 10);
  });

  test('over a corpus the threshold is one for every file, and the files add up', () => {
    // File A as above; file B: 10 rows, window on rows 6..7, its only high score (0.8) an FP on row 1.
    const a = weightRows(scoresWith(10, { 4: 0.9, 6: 0.8 }), TEN_WINDOW, STANDARD, 0, 0);
    const b = weightRows(scoresWith(10, { 1: 0.8, 7: 0.6 }), [{ firstRow: 6, lastRow: 7 }], STANDARD, 1, 0);
    const best = bestThreshold(scoresByThreshold([...a, ...b], STANDARD));
    // 0.9: 0.943742 − 1 (B missed); 0.8: 0.850431 − 1 − 0.11; 0.6: adds B's row 7
    // (position −1/2: tanh(1.25)/tanh(2.5) = 0.859793), so 0.850431 − 0.11 + 0.859793 = 1.600224.
    expect(best.threshold).toBe(0.6);
    expect(best.score).toBeCloseTo(1.600224, 5);
    const perFile =
      scoreAtThreshold(a, best.threshold, STANDARD).score + scoreAtThreshold(b, best.threshold, STANDARD).score;
    expect(perFile).toBeCloseTo(best.score, 10);
  });
});
