import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../lib/log';
import { fileSecretStore } from '../lib/secrets';
import { logFileOf, pidFileOf, type Component, type PlatformContext } from './component';
import { runInForeground, withDirLock } from './foreground';
import { platformPaths } from './paths';
import { portMap } from './ports';
import { forLogLine } from './wait';

function context(): PlatformContext {
  const paths = platformPaths({ SLUICE_HOME: mkdtempSync(join(tmpdir(), 'sluice-foreground-')) });
  return {
    paths,
    ports: portMap(29000),
    secrets: fileSecretStore(paths.secrets),
    log: createLogger({ level: 'error' }),
    host: '127.0.0.1',
  };
}

/** A component whose server is a node script: says it is ready, then runs until SIGTERM (exits 0) or `exit`. */
function fakeComponent(calls: string[], script = ''): Component {
  return {
    name: 'fake',
    dependsOn: [],
    ports: () => [],
    install: async () => void calls.push('install'),
    configure: async () => void calls.push('configure'),
    daemon: (ctx) => ({
      name: 'fake',
      command: process.execPath,
      args: [
        '-e',
        `console.log('fake ready'); process.on('SIGTERM', () => { console.log('fake stopping'); process.exit(0); }); setInterval(() => {}, 1000); ${script}`,
      ],
      pidFile: pidFileOf(ctx, 'fake'),
      logFile: logFileOf(ctx, 'fake'),
    }),
    ready: (ctx, offset) => [forLogLine(logFileOf(ctx, 'fake'), /fake ready/, 10_000, offset)],
    healthy: async () => true,
    initialise: async () => void calls.push('initialise'),
    beforeStop: async () => void calls.push('beforeStop'),
    stopGraceMs: 5_000,
  };
}

test('a component in the foreground: install and configure, its output to the log file and to stdout, ready, initialised; stop runs beforeStop, then a graceful stop', async () => {
  const ctx = context();
  const calls: string[] = [];
  const out: string[] = [];
  const run = await runInForeground(ctx, fakeComponent(calls), (chunk) => out.push(chunk.toString()));
  await run.ready;
  expect(calls).toEqual(['install', 'configure', 'initialise']);
  expect(existsSync(pidFileOf(ctx, 'fake'))).toBe(true);
  expect(await run.stop()).toBe(0);
  expect(calls).toEqual(['install', 'configure', 'initialise', 'beforeStop']);
  expect(readFileSync(logFileOf(ctx, 'fake'), 'utf8')).toBe('fake ready\nfake stopping\n');
  expect(out.join('')).toBe('fake ready\nfake stopping\n');
  expect(existsSync(pidFileOf(ctx, 'fake'))).toBe(false);
  expect(existsSync(join(ctx.paths.run, 'configure.lock'))).toBe(false);
});

test('a component that exits by itself: its exit code, for the container to restart; one that exits before ready fails ready', async () => {
  const ctx = context();
  const calls: string[] = [];
  const crashing = await runInForeground(
    ctx,
    fakeComponent(calls, 'setTimeout(() => process.exit(3), 1500);'),
    () => {},
  );
  await crashing.ready;
  expect(await crashing.exited).toBe(3);
  expect(await crashing.stop()).toBe(3); // nothing left to stop: no beforeStop
  expect(calls).not.toContain('beforeStop');

  const early = fakeComponent([], '');
  early.ready = () => [forLogLine('/nonexistent', /never/, 10_000)];
  early.daemon = (c) => ({ ...fakeComponent([]).daemon(c), args: ['-e', 'process.exit(7)'] });
  const failing = await runInForeground(ctx, early, () => {});
  await expect(failing.ready).rejects.toThrow(/exited with 7/);
  expect(await failing.exited).toBe(7);
});

test('the configure lock: a second holder waits for the first; a lock whose holder died is taken over', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'sluice-lock-')), 'configure.lock');
  const order: string[] = [];
  let waited = '';
  let release!: () => void;
  const first = withDirLock(dir, { owner: 'kafka-1' }, async () => {
    order.push('kafka-1 in');
    await new Promise<void>((r) => (release = r));
    order.push('kafka-1 out');
  });
  await new Promise((r) => setTimeout(r, 50));
  const second = withDirLock(dir, { owner: 'kafka-2', pollMs: 20, onWait: (h) => (waited = h) }, async () => {
    order.push('kafka-2 in');
  });
  await new Promise((r) => setTimeout(r, 100));
  expect(order).toEqual(['kafka-1 in']);
  expect(waited).toBe(`${process.pid} kafka-1`);
  release();
  await Promise.all([first, second]);
  expect(order).toEqual(['kafka-1 in', 'kafka-1 out', 'kafka-2 in']);

  // A holder that died (a process that has exited) leaves its lock behind: the next one takes it.
  const dead = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => dead.once('exit', r));
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(dir);
  writeFileSync(join(dir, 'owner'), `${dead.pid} kafka-3\n`);
  await expect(withDirLock(dir, { owner: 'kafka-1', timeoutMs: 1_000, pollMs: 20 }, async () => 'taken')).resolves.toBe(
    'taken',
  );
  // A live holder that never lets go: a timeout that says who holds it.
  mkdirSync(dir);
  writeFileSync(join(dir, 'owner'), `${process.pid} kafka-2\n`);
  await expect(withDirLock(dir, { owner: 'kafka-1', timeoutMs: 200, pollMs: 20 }, async () => 'no')).rejects.toThrow(
    `kafka-1: timed out waiting for the lock ${dir} (${process.pid} kafka-2)`,
  );
});
