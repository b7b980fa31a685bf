/**
 * Regression: `sluice plan --json` piped to another program was cut after the first 64 KiB-ish (the
 * targets integration test's JSON.parse failed at character 657 784), because the CLI called process.exit
 * while Node still held the rest of stdout.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { repoRoot } from '../../lib/repo';
import { exitWhenFlushed } from './exit';

it('exits only once a slow stream has taken everything written before', async () => {
  let taken = 0;
  const slow = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      setTimeout(() => {
        taken += chunk.length;
        callback();
      }, 5);
    },
  });
  for (let i = 0; i < 20; i++) slow.write('x'.repeat(1000));
  const exited = await new Promise<{ code: number; taken: number }>((resolve) =>
    exitWhenFlushed(3, [slow], (code) => resolve({ code, taken })),
  );
  expect(exited).toEqual({ code: 3, taken: 20_000 });
});

it('a CLI process printing 3 MB to a pipe, with a handle left open, exits with all of it (process.exit alone loses most)', () => {
  const script = (exit: string) => `
    import { exitWhenFlushed } from ${JSON.stringify(join(repoRoot(), 'orchestrator', 'cli', 'exit'))};
    void exitWhenFlushed;
    setInterval(() => undefined, 1000);
    process.stdout.write('x'.repeat(3_000_000) + '\\n');
    ${exit};
  `;
  const tsx = join(repoRoot(), 'node_modules', '.bin', 'tsx');
  const printed = (exit: string) => spawnSync(tsx, ['-e', script(exit)], { encoding: 'utf8', maxBuffer: 10_000_000 });
  const whole = printed('exitWhenFlushed(4)');
  expect([whole.status, whole.stdout.length]).toEqual([4, 3_000_001]);
  // The control: what the CLI did before.
  const cut = printed('process.exit(4)');
  expect(cut.status).toBe(4);
  expect(cut.stdout.length).toBeLessThan(3_000_001);
});
