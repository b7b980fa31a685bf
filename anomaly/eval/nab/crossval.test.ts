/** k-fold cross-validation on a hand-made corpus: folds, the choice made on training folds only, the spread. */
import type { NabFile } from './corpus';
import { assignFolds, crossValidate, type CvFamily } from './crossval';

/** A file of 200 rows with one window on rows 100..119, in `category`. */
function file(category: string, name: string): NabFile {
  const timestamps = Array.from({ length: 200 }, (_, i) => Date.UTC(2014, 0, 1) + i * 300_000);
  return {
    path: `${category}/${name}`,
    category,
    name,
    timestamps,
    values: timestamps.map((_, i) => i % 7),
    timestampText: timestamps.map((t) => new Date(t).toISOString()),
    valueText: timestamps.map((_, i) => String(i % 7)),
    outOfOrder: 0,
    windows: [{ start: timestamps[100]!, end: timestamps[119]!, firstRow: 100, lastRow: 119 }],
  };
}

const files = [
  ...['a1', 'a2', 'a3', 'a4'].map((n) => file('a', `${n}.csv`)),
  ...['b1', 'b2', 'b3', 'b4'].map((n) => file('b', `${n}.csv`)),
];

/** Fires at `row` of the files `where` accepts (a fresh counter per file). */
const firing = (label: string, row: (f: NabFile) => number | undefined): CvFamily['settings'][number] => ({
  label,
  options: { label },
  create: (f) => {
    let i = 0;
    const at = row(f);
    return { observe: () => ({ score: i++ === at ? 1 : 0 }) };
  },
});

test('folds are stratified by category and deterministic', () => {
  const folds = assignFolds(files, 4);
  expect(folds).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  expect(assignFolds(files.slice(0, 5), 2)).toEqual([0, 1, 0, 1, 0]);
  expect(() => assignFolds(files, 1)).toThrow(RangeError);
});

test('each fold is scored with the setting and threshold chosen on the other folds', () => {
  const families: CvFamily[] = [
    { name: 'perfect', settings: [firing('start', () => 100)] },
    {
      name: 'tuned',
      settings: [
        // Finds every window but a1's: chosen wherever a1 is in training; a1's fold then loses one window.
        firing('good', (f) => (f.name === 'a1.csv' ? undefined : 100)),
        firing('late', () => 119),
      ],
    },
    { name: 'silent', settings: [firing('never', () => undefined)] },
  ];
  const { results, k } = crossValidate(files, families, { k: 4 });
  expect(k).toBe(4);
  const [perfect, tuned, silent] = results.map((r) => r.profiles.standard);
  for (const f of perfect!.folds) expect(f.heldOut).toBeCloseTo(100, 10);
  expect(perfect!.mean).toBeCloseTo(100, 10);
  expect(perfect!.sd).toBeCloseTo(0, 10);
  expect(perfect!.pooled).toBeCloseTo(100, 10);
  // a1 is in fold 0: its fold finds one of two windows (100·(1 + 1 − 1 − (−2))/(2 − (−2)) = 50 on
  // the standard profile, the null detector scoring −2 there); the other folds find both.
  expect(tuned!.folds.map((f) => f.setting)).toEqual(['good', 'good', 'good', 'good']);
  expect(tuned!.folds[0]!.heldOut).toBeCloseTo(50, 6);
  for (const f of tuned!.folds.slice(1)) expect(f.heldOut).toBeCloseTo(100, 6);
  expect(tuned!.mean).toBeCloseTo(87.5, 6);
  expect(tuned!.min).toBeCloseTo(50, 6);
  expect(tuned!.max).toBeCloseTo(100, 6);
  expect(tuned!.chosen.setting).toBe('good');
  // The negative: a detector that never fires scores the null detector's 0 on every fold.
  for (const f of silent!.folds) expect(f.heldOut).toBeCloseTo(0, 10);
});
