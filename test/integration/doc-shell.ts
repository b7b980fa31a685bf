/**
 * Runs documented commands (test/docs/doc-blocks.ts) as a reader's shell would: bash, from a working
 * directory, with the variables that earlier commands exported (`eval "$(npx sluice platform env)"`)
 * carried to the next one. `npx sluice` is this checkout's `node bin/sluice.js`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo';
import { type DocCommand, matches, normalise } from '../docs/doc-blocks';

export interface DocRun {
  code: number | null;
  /** stdout and stderr as the terminal shows them, with the test platform's paths and ports as the docs write them. */
  output: string;
  seconds: number;
}

const PRELUDE = `set -a
npx() { if [ "$1" = sluice ]; then shift; node "$SLUICE_DOC_REPO/bin/sluice.js" "$@"; else command npx "$@"; fi; }
exec 2>&1
trap 'env -0 > "$SLUICE_DOC_STATE"' EXIT
`;

export class DocShell {
  env: NodeJS.ProcessEnv;
  private readonly stateDir = mkdtempSync(join(tmpdir(), 'sluice-doc-shell-'));

  constructor(
    readonly cwd: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.env = { ...env, SLUICE_DOC_REPO: repoRoot() };
  }

  close(): void {
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  private normalise(text: string): string {
    return normalise(text, {
      repoRoot: repoRoot(),
      sluiceHome: this.env.SLUICE_HOME ?? join(repoRoot(), '.sluice'),
      portBase: Number(this.env.SLUICE_PORT_BASE ?? 29000),
    });
  }

  /**
   * Runs one command. A command that runs `until Ctrl-C` gets SIGINT once its expected output is there
   * (or, with none shown, a first line or `waitSeconds`), and at the latest after `timeoutMs`.
   */
  run(command: DocCommand, options: { timeoutMs?: number; waitSeconds?: number; unordered?: boolean } = {}) {
    const timeoutMs = options.timeoutMs ?? 300_000;
    const state = join(this.stateDir, 'env');
    rmSync(state, { force: true });
    const started = Date.now();
    const child = spawn('bash', ['-c', PRELUDE + command.command], {
      cwd: this.cwd,
      env: { ...this.env, SLUICE_DOC_STATE: state },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let raw = '';
    child.stdout.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, name);
      } catch {
        // already gone
      }
    };
    let poll: NodeJS.Timeout | undefined;
    if (command.untilCtrlC) {
      const idleMs = (options.waitSeconds ?? 30) * 1000;
      poll = setInterval(() => {
        const out = this.normalise(raw);
        const done = command.expected
          ? matches(command.expected, out, options)
          : out.trim() !== '' || Date.now() - started > idleMs;
        if (done) {
          clearInterval(poll);
          signal('SIGINT');
        }
      }, 500);
    }
    const kill = setTimeout(() => {
      raw += `\n[doc-test: no exit within ${timeoutMs / 1000} s: ${command.untilCtrlC ? 'SIGINT' : 'SIGKILL'}]\n`;
      signal(command.untilCtrlC ? 'SIGINT' : 'SIGKILL');
      setTimeout(() => signal('SIGKILL'), 30_000).unref();
    }, timeoutMs);
    return new Promise<DocRun>((resolve) => {
      child.on('close', (code) => {
        clearTimeout(kill);
        if (poll) clearInterval(poll);
        try {
          const vars = readFileSync(state, 'utf8').split('\0').filter(Boolean);
          const env: NodeJS.ProcessEnv = {};
          for (const v of vars) {
            const at = v.indexOf('=');
            env[v.slice(0, at)] = v.slice(at + 1);
          }
          delete env.SLUICE_DOC_STATE;
          this.env = env;
        } catch {
          // killed before its EXIT trap: the environment stays as it was
        }
        resolve({ code, output: this.normalise(raw), seconds: (Date.now() - started) / 1000 });
      });
    });
  }
}

/** A readable failure: the command, the output the doc shows and what it printed. */
export function explain(command: DocCommand, run: DocRun, where: string): string {
  return [
    `${where}: $ ${command.command}`,
    `exit status ${run.code} after ${run.seconds.toFixed(1)} s`,
    '--- the doc shows:',
    ...(command.expected ?? ['(no output shown)']),
    '--- it printed:',
    run.output,
  ].join('\n');
}
