/**
 * How `up` and `down` reach the supervisor daemon: its control socket. `up` starts the daemon when it is
 * not running, then asks it to start each component, so that the supervisor is the parent of every
 * process it restarts. `sluice up --foreground` also keeps the supervisor itself running.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { SluiceError, messageOf } from '../../../lib/errors';
import { repoRoot } from '../../../lib/repo';
import { logFileOf, pidFileOf, type PlatformContext } from '../component';
import { runningPid, startDaemon, stopProcess, type DaemonSpec } from '../processes';
import { forCondition, waitFor } from '../wait';
import { socketPathOf } from './server';
import type { SupervisedView } from './state';

export const SUPERVISOR = 'supervisor';

export function supervisorPid(ctx: PlatformContext): number | undefined {
  return runningPid(pidFileOf(ctx, SUPERVISOR), SUPERVISOR, ctx.paths.home);
}

function call<T>(ctx: PlatformContext, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      { socketPath: socketPathOf(ctx), method, path, headers: { 'content-type': 'application/json' }, timeout: 30_000 },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(
              new SluiceError('SLUICE_HTTP_ERROR', `supervisor: ${method} ${path} answered ${res.statusCode}: ${text}`),
            );
            return;
          }
          resolve(JSON.parse(text) as T);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 30s')));
    req.on('error', reject);
    req.end(payload);
  });
}

async function answers(ctx: PlatformContext): Promise<boolean> {
  if (!existsSync(socketPathOf(ctx))) return false;
  return call(ctx, 'GET', '/state').then(
    () => true,
    () => false,
  );
}

/** Starts the supervisor daemon unless it runs. */
export async function ensureSupervisor(ctx: PlatformContext): Promise<void> {
  if (supervisorPid(ctx) !== undefined && (await answers(ctx))) return;
  const pid = startDaemon(
    {
      name: SUPERVISOR,
      command: process.execPath,
      args: [join(repoRoot(), 'bin', 'sluice.js'), 'platform', 'supervise'],
      cwd: repoRoot(),
      env: {
        ...process.env,
        SLUICE_HOME: ctx.paths.home,
        SLUICE_PORT_BASE: String(ctx.ports.base),
        SLUICE_HOST: ctx.host,
      },
      pidFile: pidFileOf(ctx, SUPERVISOR),
      logFile: logFileOf(ctx, SUPERVISOR),
    },
    ctx.paths.home,
  );
  await waitFor(
    forCondition(`the supervisor (pid ${pid}) to answer on ${socketPathOf(ctx)}`, 30_000, () => answers(ctx)),
    { abortIf: () => (supervisorPid(ctx) === undefined ? `it exited: see ${logFileOf(ctx, SUPERVISOR)}` : undefined) },
  );
  ctx.log.info(`started (pid ${pid})`, { component: SUPERVISOR });
}

/**
 * Starts a component under supervision (`start`), or has a running one watched from now on. Without a
 * reachable supervisor the component is started directly, unsupervised, and the log says so.
 */
export async function superviseComponent(
  ctx: PlatformContext,
  spec: DaemonSpec,
  start: boolean,
): Promise<number | undefined> {
  try {
    const { pid } = await call<{ pid: number | null }>(ctx, 'POST', '/watch', { spec, start });
    return pid ?? undefined;
  } catch (error) {
    ctx.log.warn(`the supervisor did not answer (${messageOf(error)}): started without supervision`, {
      component: spec.name,
    });
    return start ? startDaemon(spec, ctx.paths.home) : undefined;
  }
}

/** Stops supervising these components (they are being stopped on purpose); a no-op without a supervisor. */
export async function unsuperviseComponents(ctx: PlatformContext, names: string[]): Promise<void> {
  if (supervisorPid(ctx) === undefined) return;
  await call(ctx, 'POST', '/forget', { names }).catch((error: unknown) =>
    ctx.log.warn(`could not tell the supervisor to stop watching ${names.join(', ')}: ${messageOf(error)}`, {
      component: SUPERVISOR,
    }),
  );
}

/** Stops the supervisor daemon first, so that it never fights a `down`. */
export async function stopSupervisor(ctx: PlatformContext): Promise<void> {
  const pid = supervisorPid(ctx);
  if (pid === undefined) return;
  await stopProcess(pid, 10_000);
  ctx.log.info(`stopped (pid ${pid})`, { component: SUPERVISOR });
}

export async function supervisorViews(ctx: PlatformContext): Promise<SupervisedView[] | undefined> {
  if (supervisorPid(ctx) === undefined) return undefined;
  return call<{ components: SupervisedView[] }>(ctx, 'GET', '/state').then(
    (s) => s.components,
    () => undefined,
  );
}
