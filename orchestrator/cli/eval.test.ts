/** `sluice eval anomaly` on a hand-made NAB corpus (NAB only: the simulators have their own tests). */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main';

const dir = mkdtempSync(join(tmpdir(), 'sluice-eval-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stamp = (i: number) => new Date(Date.UTC(2014, 0, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
mkdirSync(join(dir, 'data', 'cat'), { recursive: true });
// Four files (one per fold), the same spike at row 400 in each; the last steps back in time once (after
// the spike, so every file's spike scores the same and the threshold chosen on three fits the fourth).
const FILES = ['spiky.csv', 'spiky2.csv', 'spiky3.csv', 'spiky4.csv'];
for (const [n, name] of FILES.entries()) {
  const rows = Array.from({ length: 600 }, (_, i) => `${stamp(i)},${10 + Math.sin(i) + (i === 400 ? 50 : 0)}`);
  if (n === 3) rows[500] = `${stamp(490)},${10 + Math.sin(500)}`;
  writeFileSync(join(dir, 'data', 'cat', name), ['timestamp,value', ...rows].join('\n'));
}
writeFileSync(
  join(dir, 'windows.json'),
  JSON.stringify(
    Object.fromEntries(FILES.map((f) => [`cat/${f}`, [[`${stamp(400)}.000000`, `${stamp(440)}.000000`]]])),
  ),
);

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('sluice eval anomaly', () => {
  test('cross-validates one detector family on the given NAB data, prints the tables and writes NAB-layout results', async () => {
    const out = join(dir, 'out');
    const { code, stdout } = await run([
      'eval',
      'anomaly',
      '--nab-data',
      join(dir, 'data'),
      '--nab-windows',
      join(dir, 'windows.json'),
      '--out',
      out,
      '--detector',
      'robust-z',
      '--no-simulators',
      '--no-baselines',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/NAB: 4 files, 2400 rows, 4 windows, 1 rows out of order/);
    // Each fold held out in turn: the spike is found at its window's start in every one.
    expect(stdout).toMatch(/^robust-z\s+100\.0\s+100\.0\s+100\.0\s+100\.0\s+100\.0\s+0\.0\s+100\.0–100\.0/m);
    expect(stdout).toMatch(/Best held-out mean: robust-z \(100\.0\)/);
    expect(stdout).toMatch(/numenta \(HTM\)\s+70\.1\s+63\.1\s+74\.3/);
    expect(stdout).toMatch(/5a98e4f15e4508b2d1472ac31db2467dd87a9a28/);
    expect(stdout).not.toMatch(/Simulators:/);
    expect(existsSync(join(out, 'default', 'cat', 'default_spiky4.csv'))).toBe(true);
    expect(existsSync(join(out, 'final_results.json'))).toBe(true);
    expect(existsSync(join(out, 'crossvalidation.json'))).toBe(true);
  });

  test('a missing data directory is SLUICE_CONFIG_INVALID; a bad row is SLUICE_DATA_INVALID with its line', async () => {
    const missing = await run([
      'eval',
      'anomaly',
      '--nab-data',
      join(dir, 'nope'),
      '--nab-windows',
      join(dir, 'windows.json'),
      '--no-simulators',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^SLUICE_CONFIG_INVALID: .*nope: no such directory of NAB data/);
    writeFileSync(join(dir, 'data', 'cat', 'spiky.csv'), `timestamp,value\n${stamp(0)},1\n${stamp(1)},x\n`);
    const bad = await run([
      'eval',
      'anomaly',
      '--nab-data',
      join(dir, 'data'),
      '--nab-windows',
      join(dir, 'windows.json'),
      '--no-simulators',
      '--out',
      join(dir, 'out2'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^SLUICE_DATA_INVALID: .*spiky\.csv:3: value 'x' is not a number/);
  });

  test('an unknown detector is refused with the names to use', async () => {
    const { code, stderr } = await run(['eval', 'anomaly', '--detector', 'prophet', '--no-simulators']);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /there is no detector 'prophet'.*\n.*\n {2}fix: use one of: all, robust-z, ewma, seasonal, ensemble, ensemble-max, context/,
    );
  });
});
