/**
 * Runs a supervisor for a platform: as the daemon `sluice platform supervise` that `up` starts, or inside
 * `sluice up --foreground` (the main process of a container or a systemd service), which supervises the
 * same way.
 */
import type { Server } from 'node:http';
import { messageOf } from '../../../lib/errors';
import type { Component, PlatformContext } from '../component';
import { listenControl, listenMetrics, SupervisorMetrics } from './server';
import { Supervisor } from './supervisor';

export interface RunningSupervisor {
  supervisor: Supervisor;
  close(): Promise<void>;
}

export async function runSupervisor(ctx: PlatformContext, components: Component[]): Promise<RunningSupervisor> {
  const metrics = new SupervisorMetrics();
  const supervisor = new Supervisor(ctx, (name) => components.find((c) => c.name === name), {
    events: {
      onRestart: (name) => metrics.restarts.inc({ component: name }),
      onChange: (views) => metrics.update(views),
    },
  });
  const servers: Server[] = [await listenControl(ctx, supervisor)];
  try {
    servers.push(await listenMetrics(ctx, metrics));
  } catch (error) {
    // Supervision matters more than its metrics: go on, and say why the alert rules will see nothing.
    ctx.log.warn(`no metrics on port ${ctx.ports.supervisor}: ${messageOf(error)}`, { component: 'supervisor' });
  }
  supervisor.start();
  ctx.log.info(`supervising (pid ${process.pid})`, { component: 'supervisor' });
  return {
    supervisor,
    async close() {
      supervisor.stop();
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}
