/** The NAB runner end to end on a corpus of two hand-made files, written in NAB's layout. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNabCorpus } from './corpus';
import { runNab, type NabCandidate } from './run';

const dir = mkdtempSync(join(tmpdir(), 'sluice-nab-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stamp = (i: number) => new Date(Date.UTC(2014, 0, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
function file(path: string, n: number) {
  mkdirSync(join(dir, 'data', path.split('/')[0]!), { recursive: true });
  writeFileSync(
    join(dir, 'data', path),
    ['timestamp,value', ...Array.from({ length: n }, (_, i) => `${stamp(i)},${i % 7}`)].join('\n'),
  );
}
file('a/one.csv', 200);
file('b/two.csv', 100);
// Windows on rows 100..119 of one.csv and 50..59 of two.csv (after the 15% probation of each).
writeFileSync(
  join(dir, 'windows.json'),
  JSON.stringify({
    'a/one.csv': [[`${stamp(100)}.000000`, `${stamp(119)}.000000`]],
    'b/two.csv': [[`${stamp(50)}.000000`, `${stamp(59)}.000000`]],
  }),
);
const corpus = readNabCorpus(join(dir, 'data'), join(dir, 'windows.json'));

/** Fires on the listed row numbers of each file (counted by the detector itself). */
const firing = (name: string, rows: Record<string, number[]>): NabCandidate => ({
  name,
  create: (f) => {
    let i = 0;
    return { observe: () => ({ score: (rows[f.path] ?? []).includes(i++) ? 1 : 0 }) };
  },
});

describe('runNab', () => {
  const out = join(dir, 'results');
  const [perfect, late, noisy] = runNab(
    corpus,
    [
      firing('perfect', { 'a/one.csv': [100], 'b/two.csv': [50] }),
      firing('late', { 'a/one.csv': [119], 'b/two.csv': [] }),
      firing('noisy', { 'a/one.csv': [40, 60, 100, 150], 'b/two.csv': [50] }),
    ],
    { outDir: out },
  );

  test('a detector that fires at the start of every window scores 100 on every profile', () => {
    for (const p of Object.values(perfect!.profiles)) expect(p.score).toBeCloseTo(100, 10);
    expect(perfect!.profiles.standard.threshold).toBe(1);
  });

  test('a late detection earns little; a miss costs fnWeight; false positives cost fpWeight', () => {
    // late: one.csv at its last row, σ(−1/20)/σ(−1) = tanh(0.125)/tanh(2.5) = 0.126040; two.csv missed.
    // Null: −2 (standard). Score 100·(0.126040 − 1 − (−2))/(2 − (−2)) = 28.151.
    expect(late!.profiles.standard.raw).toBeCloseTo(0.12604 - 1, 5);
    expect(late!.profiles.standard.score).toBeCloseTo(28.151, 2);
    // noisy: both windows at their start, and two FPs before the first window: 2 − 0.22, and
    // row 150 is |119 − 150|/19 = 1.63 past the window: 0.11·σ(1.63) = −0.109937.
    expect(noisy!.profiles.standard.raw).toBeCloseTo(2 - 0.22 - 0.109937, 5);
  });

  test("results are written in NAB's layout, with labels and NAB's score tables", () => {
    const csv = readFileSync(join(out, 'perfect', 'a', 'perfect_one.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('timestamp,value,anomaly_score,label');
    expect(csv).toHaveLength(201);
    expect(csv[101]).toBe(`${stamp(100)},2,1,1`);
    expect(csv[100]).toBe(`${stamp(99)},1,0,0`);
    expect(csv[121]).toBe(`${stamp(120)},1,0,0`);
    expect(existsSync(join(out, 'late', 'b', 'late_two.csv'))).toBe(true);
    const table = readFileSync(join(out, 'perfect', 'perfect_standard_scores.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(table[0]).toBe('Detector,Profile,File,Threshold,Score,TP,TN,FP,FN,Total_Count');
    expect(table.at(-1)).toMatch(/^Totals,,,,2,/);
    const final = JSON.parse(readFileSync(join(out, 'final_results.json'), 'utf8'));
    expect(final.perfect.standard).toBeCloseTo(100, 10);
  });
});
