/**
 * The supervisor's two listeners. Control (watch, forget, state) is HTTP on a Unix socket in the run
 * directory, mode 0600 in a directory only the platform's user can enter: the file system says who you
 * are, so no password is needed and nothing is reachable from the network. Metrics are read-only
 * Prometheus text on the port map (`supervisor`), for the platform's alert rules
 * (SluiceComponentRestarting, SluiceComponentFailed).
 */
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Counter, Gauge, Registry } from 'prom-client';
import { messageOf } from '../../../lib/errors';
import type { PlatformContext } from '../component';
import type { DaemonSpec } from '../processes';
import type { SupervisedView } from './state';
import type { Supervisor } from './supervisor';

export const socketPathOf = (ctx: PlatformContext): string => join(ctx.paths.run, 'supervisor.sock');

/** Largest request body accepted on the control socket (a launch spec with its environment). */
const MAX_BODY_BYTES = 1024 * 1024;

export class SupervisorMetrics {
  readonly registry = new Registry();
  readonly restarts = new Counter({
    name: 'sluice_supervisor_restarts_total',
    help: 'Restarts of a component by the supervisor after it died',
    labelNames: ['component'],
    registers: [this.registry],
  });
  private readonly up = new Gauge({
    name: 'sluice_supervisor_component_running',
    help: '1 when the supervised component runs (started or ready), 0 while it waits to be restarted or was given up on',
    labelNames: ['component'],
    registers: [this.registry],
  });
  private readonly failed = new Gauge({
    name: 'sluice_supervisor_component_failed',
    help: '1 when the supervisor gave up restarting the component (it died too often within the window)',
    labelNames: ['component'],
    registers: [this.registry],
  });

  update(views: SupervisedView[]): void {
    this.up.reset();
    this.failed.reset();
    for (const v of views) {
      this.up.set({ component: v.name }, v.status === 'running' || v.status === 'starting' ? 1 : 0);
      this.failed.set({ component: v.name }, v.status === 'failed' ? 1 : 0);
      this.restarts.inc({ component: v.name }, 0); // the series exists before the first restart
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
      if (body.length > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
      }
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function listenControl(ctx: PlatformContext, supervisor: Supervisor): Promise<Server> {
  const path = socketPathOf(ctx);
  if (existsSync(path)) unlinkSync(path); // left by a supervisor that was killed
  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (req.method === 'POST' && req.url === '/watch') {
          const { spec, start } = JSON.parse(await readBody(req)) as { spec: DaemonSpec; start: boolean };
          reply(res, 200, { pid: (await supervisor.watch(spec, { start })) ?? null });
        } else if (req.method === 'POST' && req.url === '/forget') {
          const { names } = JSON.parse(await readBody(req)) as { names: string[] };
          supervisor.forget(names);
          reply(res, 200, { forgotten: names });
        } else if (req.method === 'GET' && req.url === '/state') {
          reply(res, 200, { pid: process.pid, components: supervisor.views() });
        } else {
          reply(res, 404, { error: `no route ${req.method} ${req.url}` });
        }
      } catch (error) {
        reply(res, 500, { error: messageOf(error) });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return server;
}

export async function listenMetrics(ctx: PlatformContext, metrics: SupervisorMetrics): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void metrics.registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.ports.supervisor, ctx.host, () => resolve());
  });
  return server;
}
