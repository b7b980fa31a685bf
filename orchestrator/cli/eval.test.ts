/** `sluice eval anomaly` on a hand-made NAB corpus (NAB only: the simulators have their own tests). */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main';

const dir = mkdtempSync(join(tmpdir(), 'sluice-eval-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stamp = (i: number) => new Date(Date.UTC(2014, 0, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
mkdirSync(join(dir, 'data', 'cat'), { recursive: true });
writeFileSync(
  join(dir, 'data', 'cat', 'spiky.csv'),
  [
    'timestamp,value',
    ...Array.from({ length: 600 }, (_, i) => `${stamp(i)},${10 + Math.sin(i) + (i === 400 ? 50 : 0)}`),
  ].join('\n'),
);
writeFileSync(
  join(dir, 'windows.json'),
  JSON.stringify({ 'cat/spiky.csv': [[`${stamp(400)}.000000`, `${stamp(440)}.000000`]] }),
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
  test('scores one detector on the given NAB data, prints the table and writes NAB-layout results', async () => {
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
    expect(stdout).toMatch(/NAB: 1 files, 600 rows, 1 windows/);
    expect(stdout).toMatch(/^robust-z\s+100\.0\s+100\.0\s+100\.0/m);
    expect(stdout).not.toMatch(/Simulators:/);
    expect(existsSync(join(out, 'robust-z', 'cat', 'robust-z_spiky.csv'))).toBe(true);
    expect(existsSync(join(out, 'final_results.json'))).toBe(true);
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
      /there is no detector 'prophet'.*\n.*\n {2}fix: use one of: all, robust-z, ewma, seasonal, ensemble/,
    );
  });
});
