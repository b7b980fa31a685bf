/**
 * InfluxDB 1.8 OSS: InfluxQL on /query, and the 2.x-compatible /api/v2/write and Flux /api/v2/query that
 * @influxdata/influxdb-client uses (token `user:password`). An `influxd` 1.8+ on PATH is used; otherwise it
 * is built once with `go install` into the install cache (install/go.ts, pinned in platform-manifest.json
 * `go.influxd`; docs/decisions/0010-influxdb-version.md says why 1.8.10). Authentication is on. On first
 * start, while no user exists, the launcher creates the `admin` user (InfluxDB allows that one
 * unauthenticated CREATE USER … WITH ALL PRIVILEGES), then the writer `sluice-connect` (the Kafka Connect
 * sink) and the reader `grafana`; deploy-pipeline creates the database, its retention policies and their
 * grants (pipeline.yaml `influx`).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError, isSluiceError } from '../../../lib/errors';
import { HttpInfluxAdmin, InfluxQlClient, influxIdentifier, influxString, seriesRows } from '../../clients/influx';
import { envOf, logFileOf, pidFileOf, type Component, type PlatformContext } from '../component';
import { goBinaryDir, binaryName, resolveInfluxd } from '../install/go';
import { goBinary } from '../manifest';
import { runningPid } from '../processes';
import { writePrivateFile } from '../../lib/secrets';
import { renderTemplateFile } from '../template';
import { forCondition, type WaitStrategy } from '../wait';

export const INFLUX_ADMIN_USER = 'admin';
export const INFLUX_ADMIN_SECRET = 'influxdb/admin';
/** The Kafka Connect sink: WRITE on the database (pipeline.yaml `influx.grants`). */
export const INFLUX_WRITER_USER = 'sluice-connect';
export const INFLUX_WRITER_SECRET = 'influxdb/sluice-connect';
/** Grafana's datasource: READ on the database. */
export const INFLUX_READER_USER = 'grafana';
export const INFLUX_READER_SECRET = 'influxdb/grafana';
/** The anomaly service: WRITE, for its alert annotations. */
export const INFLUX_ANOMALY_USER = 'sluice-anomaly';
export const INFLUX_ANOMALY_SECRET = 'influxdb/sluice-anomaly';
export const INFLUX_SERVICE_USERS = [
  { user: INFLUX_WRITER_USER, secret: INFLUX_WRITER_SECRET },
  { user: INFLUX_READER_USER, secret: INFLUX_READER_SECRET },
  { user: INFLUX_ANOMALY_USER, secret: INFLUX_ANOMALY_SECRET },
] as const;

export function influxUrl(ctx: PlatformContext): string {
  return `http://${ctx.host}:${ctx.ports.influx.http}`;
}

const configFile = (ctx: PlatformContext) => join(ctx.paths.config, 'influxdb', 'influxdb.conf');
const dataDir = (ctx: PlatformContext) => join(ctx.paths.data, 'influxdb');

export function renderInfluxConfig(ctx: PlatformContext): string {
  return renderTemplateFile('influxdb/influxdb.conf', {
    rpcAddress: `${ctx.host}:${ctx.ports.influx.rpc}`,
    httpAddress: `${ctx.host}:${ctx.ports.influx.http}`,
    metaDir: join(dataDir(ctx), 'meta'),
    dataDir: join(dataDir(ctx), 'data'),
    walDir: join(dataDir(ctx), 'wal'),
  });
}

function client(ctx: PlatformContext, user?: string, secret?: string): InfluxQlClient {
  return new InfluxQlClient({
    url: influxUrl(ctx),
    ...(user ? { username: user, password: ctx.secrets.ensure(secret!) } : {}),
  });
}

const adminClient = (ctx: PlatformContext) => client(ctx, INFLUX_ADMIN_USER, INFLUX_ADMIN_SECRET);

/**
 * The token @influxdata/influxdb-client sends (`Authorization: Token <user>:<password>`, which InfluxDB 1.x
 * accepts on /api/v2), in a private file beside the user's other client files.
 */
export function writeInfluxTokenFile(ctx: PlatformContext, user: string, secret: string): string {
  const file = join(ctx.paths.clients, user, 'influx-token');
  writePrivateFile(file, `${user}:${ctx.secrets.ensure(secret)}\n`);
  return file;
}

async function pings(ctx: PlatformContext): Promise<boolean> {
  return (
    (await client(ctx)
      .ping()
      .catch(() => 0)) === 204
  );
}

/** True when `c` can run SHOW DATABASES; false when InfluxDB refuses its login. */
async function authenticated(c: InfluxQlClient): Promise<boolean> {
  try {
    await c.query('SHOW DATABASES');
    return true;
  } catch (error) {
    // 401: wrong user or password; 403 "create admin user first": no user exists yet.
    if (isSluiceError(error, 'SLUICE_HTTP_ERROR') && (error.details?.status === 401 || error.details?.status === 403))
      return false;
    throw error;
  }
}

/** First start: the admin user, while no user exists. Every start: each service user with its secret's password. */
async function ensureUsers(ctx: PlatformContext): Promise<void> {
  const log = ctx.log.child({ component: 'influxdb' });
  const admin = adminClient(ctx);
  if (!(await authenticated(admin))) {
    try {
      // Allowed without credentials only while InfluxDB has no user at all.
      await client(ctx).query(
        `CREATE USER ${influxIdentifier(INFLUX_ADMIN_USER)} WITH PASSWORD ${influxString(ctx.secrets.ensure(INFLUX_ADMIN_SECRET))} WITH ALL PRIVILEGES`,
      );
      log.info(`first start: admin user ${INFLUX_ADMIN_USER} created`);
    } catch (cause) {
      throw new SluiceError(
        'SLUICE_COMPONENT_START_FAILED',
        `InfluxDB refuses ${INFLUX_ADMIN_USER}'s password (secret ${INFLUX_ADMIN_SECRET}), and it has users already, so none can be created without one`,
        {
          cause,
          fix: `restore ${ctx.secrets.pathOf(INFLUX_ADMIN_SECRET)} from a backup, or start over with npx sluice platform reset --yes (deletes all data)`,
        },
      );
    }
  }
  const [[series]] = (await admin.query('SHOW USERS')) as [[Parameters<typeof seriesRows>[0]]];
  const existing = new Set(seriesRows(series).map((r) => String(r.user)));
  for (const { user, secret } of INFLUX_SERVICE_USERS) {
    const password = ctx.secrets.ensure(secret);
    if (!existing.has(user)) {
      await admin.query(`CREATE USER ${influxIdentifier(user)} WITH PASSWORD ${influxString(password)}`);
      log.info(`user ${user} created`);
    } else if (!(await authenticated(client(ctx, user, secret)))) {
      await admin.query(`SET PASSWORD FOR ${influxIdentifier(user)} = ${influxString(password)}`);
      log.info(`user ${user}: password set from its secret`);
    }
  }
}

/** The influxd resolved by `install` (PATH or cache); the cache's path when install did not run in this process. */
const resolved = new Map<string, string>();

function influxdPath(ctx: PlatformContext): string {
  const spec = goBinary('influxd');
  return (
    resolved.get(ctx.paths.cache) ?? join(goBinaryDir(ctx.paths.cache, 'influxd', spec), 'bin', binaryName(spec.module))
  );
}

/** influxd reads INFLUXDB_* variables over its config file: the rendered file alone decides. */
function influxEnv(ctx: PlatformContext): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(envOf(ctx)).filter(([k]) => !k.startsWith('INFLUXDB_')));
}

export const influxdb: Component = {
  name: 'influxdb',
  dependsOn: [],
  stopGraceMs: 15_000,
  ports: (ctx) => [
    { name: 'http (API)', port: ctx.ports.influx.http },
    { name: 'rpc (backup service)', port: ctx.ports.influx.rpc },
  ],

  async install(ctx) {
    const influxd = await resolveInfluxd(ctx.paths.cache, goBinary('influxd'), ctx.log);
    resolved.set(ctx.paths.cache, influxd.path);
    ctx.log.debug(`using ${influxd.path} (${influxd.version}, from ${influxd.source})`, { component: 'influxdb' });
  },

  async configure(ctx) {
    for (const dir of ['meta', 'data', 'wal']) mkdirSync(join(dataDir(ctx), dir), { recursive: true });
    ctx.secrets.ensure(INFLUX_ADMIN_SECRET);
    for (const { secret } of INFLUX_SERVICE_USERS) ctx.secrets.ensure(secret);
    writePrivateFile(configFile(ctx), renderInfluxConfig(ctx));
  },

  daemon(ctx) {
    return {
      name: 'influxdb',
      command: influxdPath(ctx),
      args: ['run', '-config', configFile(ctx)],
      cwd: dataDir(ctx),
      env: influxEnv(ctx),
      pidFile: pidFileOf(ctx, 'influxdb'),
      logFile: logFileOf(ctx, 'influxdb'),
    };
  },

  ready(ctx): WaitStrategy[] {
    return [forCondition(`InfluxDB (${influxUrl(ctx)}/ping) to answer 204`, 120_000, () => pings(ctx))];
  },

  async initialise(ctx) {
    await ensureUsers(ctx);
    if (!(await authenticated(adminClient(ctx)))) {
      throw new SluiceError(
        'SLUICE_COMPONENT_START_FAILED',
        `InfluxDB refuses ${INFLUX_ADMIN_USER} right after creating it`,
      );
    }
  },

  async healthy(ctx) {
    return (await pings(ctx)) && (await authenticated(adminClient(ctx)).catch(() => false));
  },
};

/** The admin's InfluxDB for deploy-pipeline; undefined when this platform's InfluxDB is not running. */
export function influxAdmin(ctx: PlatformContext): HttpInfluxAdmin | undefined {
  if (runningPid(pidFileOf(ctx, 'influxdb'), 'influxdb', ctx.paths.home) === undefined) return undefined;
  return new HttpInfluxAdmin(adminClient(ctx));
}
