/**
 * A NAB-like file whose timestamps step back once (55 minutes, as a real NAB file outside the shared
 * subset does): read, scored in file order as NAB's runner scores it, and the stepped-back rows are
 * scored but not learned by the detector.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDetector } from '../../detectors';
import { readNabCorpus } from './corpus';
import { runNab } from './run';

const dir = mkdtempSync(join(tmpdir(), 'sluice-nab-ooo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIVE_MINUTES = 300_000;
const stamp = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 19);
const start = Date.UTC(2014, 0, 1);
// 400 rows every 5 minutes; after row 249 the clock steps back 55 minutes (11 steps) and goes on.
const times = Array.from({ length: 400 }, (_, i) => start + (i < 250 ? i : i - 11) * FIVE_MINUTES);
const values = times.map((_, i) => 10 + (i % 5) + (i === 320 ? 60 : 0));
mkdirSync(join(dir, 'data', 'cat'), { recursive: true });
const csv = ['timestamp,value', ...times.map((t, i) => `${stamp(t)},${values[i]}`)].join('\n');
writeFileSync(join(dir, 'data', 'cat', 'back.csv'), csv);
// A copy in order (the same rows, without the 11 that step back) is the positive control.
writeFileSync(
  join(dir, 'data', 'cat', 'sorted.csv'),
  ['timestamp,value', ...times.map((t, i) => `${stamp(t)},${values[i]}`).filter((_, i) => i < 250 || i > 260)].join(
    '\n',
  ),
);
const window = [`${stamp(times[310]!)}.000000`, `${stamp(times[330]!)}.000000`];
writeFileSync(join(dir, 'windows.json'), JSON.stringify({ 'cat/back.csv': [window], 'cat/sorted.csv': [window] }));

test('a file whose timestamps step back once is scored in file order; the detector does not learn those rows', () => {
  const corpus = readNabCorpus(join(dir, 'data'), join(dir, 'windows.json'));
  const back = corpus.files.find((f) => f.path === 'cat/back.csv')!;
  const sorted = corpus.files.find((f) => f.path === 'cat/sorted.csv')!;
  // Rows 250..260 are at or before 20:45, the latest row above them (row 260 repeats it).
  expect(back.outOfOrder).toBe(11);
  expect(sorted.outOfOrder).toBe(0);
  expect(back.timestamps).toHaveLength(400);
  // NAB's sweeper enters the window at the first row stamped with its start, in file order.
  expect(back.windows[0]).toMatchObject({ firstRow: 310, lastRow: 330 });

  const out = join(dir, 'results');
  const [result] = runNab(
    { ...corpus, files: [back] },
    [{ name: 'robust-z', create: () => createDetector({ kind: 'robust-z' }) }],
    { outDir: out },
  );
  expect(result!.outOfOrderRows).toBe(11);
  expect(result!.stalePoints).toBe(11);
  // Every row has a score, in file order, the stepped-back ones included.
  const lines = readFileSync(join(out, 'robust-z', 'cat', 'robust-z_back.csv'), 'utf8')
    .trim()
    .split('\n');
  expect(lines).toHaveLength(401);
  expect(lines[252]).toMatch(new RegExp(`^${stamp(times[251]!)},`));
  // The spike at row 320 is found; the detector that skipped the 11 rows learned what the sorted run did.
  expect(result!.profiles.standard.files[0]!.tp).toBeGreaterThan(0);
  const [control] = runNab({ ...corpus, files: [sorted] }, [
    { name: 'robust-z', create: () => createDetector({ kind: 'robust-z' }) },
  ]);
  expect(control!.stalePoints).toBe(0);
  const detector = createDetector({ kind: 'robust-z' });
  const control2 = createDetector({ kind: 'robust-z' });
  back.values.forEach((v, i) => detector.observe({ timestamp: back.timestamps[i]!, value: v }));
  sorted.values.forEach((v, i) => control2.observe({ timestamp: sorted.timestamps[i]!, value: v }));
  expect(detector.snapshot()).toEqual(control2.snapshot());
});
