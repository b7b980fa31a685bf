/**
 * The databases' launcher pieces without servers: the rendered cassandra.yaml and influxdb.conf, the
 * Cassandra JVM command line, the `platform env` variables, and passwords masked in statements.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { redactCql } from '../../clients/cassandra';
import { redactInfluxQl } from '../../clients/influx';
import { clientEnvironment, exportLines } from '../client-env';
import type { PlatformContext } from '../component';
import { createContext } from '../platform';
import { CASSANDRA_JAVA17_OPTIONS, cassandraJvmArgs, renderCassandraYaml } from './cassandra';
import { renderInfluxConfig, writeInfluxTokenFile } from './influxdb';

function context(): PlatformContext {
  const home = mkdtempSync(join(tmpdir(), 'sluice-storage-'));
  return createContext({ SLUICE_HOME: home, SLUICE_PORT_BASE: '29000', SLUICE_CACHE_DIR: join(home, 'cache') });
}

describe('cassandra.yaml', () => {
  test('listens on the platform host and the port map, checks logins and permissions, keeps its files under the data dir', () => {
    const ctx = context();
    const yaml = parse(renderCassandraYaml(ctx)) as Record<string, unknown>;
    const data = join(ctx.paths.data, 'cassandra');
    expect(yaml).toMatchObject({
      cluster_name: 'sluice',
      num_tokens: 16,
      partitioner: 'org.apache.cassandra.dht.Murmur3Partitioner',
      endpoint_snitch: 'SimpleSnitch',
      seed_provider: [
        { class_name: 'org.apache.cassandra.locator.SimpleSeedProvider', parameters: [{ seeds: '127.0.0.1:29161' }] },
      ],
      listen_address: '127.0.0.1',
      rpc_address: '127.0.0.1',
      storage_port: 29161,
      native_transport_port: 29160,
      authenticator: 'PasswordAuthenticator',
      authorizer: 'CassandraAuthorizer',
      role_manager: 'CassandraRoleManager',
      data_file_directories: [join(data, 'data')],
      commitlog_directory: join(data, 'commitlog'),
      saved_caches_directory: join(data, 'saved_caches'),
      hints_directory: join(data, 'hints'),
      cdc_raw_directory: join(data, 'cdc_raw'),
      commitlog_sync: 'periodic',
      commitlog_sync_period: '10000ms',
    });
  });

  test("the JVM gets the heap of the manifest, jvm17-server.options, and the launcher's properties", () => {
    const ctx = context();
    const args = cassandraJvmArgs(ctx, '/lib');
    expect(args.slice(0, 2)).toEqual(['-Xms768m', '-Xmx768m']);
    expect(args).toEqual(
      expect.arrayContaining([
        ...CASSANDRA_JAVA17_OPTIONS,
        `-Dcassandra.config=file://${join(ctx.paths.config, 'cassandra', 'cassandra.yaml')}`,
        `-Dlogback.configurationFile=${join(ctx.paths.config, 'cassandra', 'logback.xml')}`,
        '-Dcassandra-foreground=yes',
        '-Dcassandra.jmx.local.port=29162',
        '--add-exports=java.management/com.sun.jmx.remote.security=ALL-UNNAMED',
        '-Dcom.sun.management.jmxremote.authenticate=true',
        `-Dcom.sun.management.jmxremote.password.file=${join(ctx.paths.config, 'cassandra', 'jmx.password')}`,
        `-Dcom.sun.management.jmxremote.access.file=${join(ctx.paths.config, 'cassandra', 'jmx.access')}`,
        '-Dcassandra.skip_wait_for_gossip_to_settle=0',
        '-Dcassandra.ring_delay_ms=1000',
        '-Dcassandra.superuser_setup_delay_ms=0',
      ]),
    );
    expect(CASSANDRA_JAVA17_OPTIONS).toEqual(
      expect.arrayContaining([
        '-XX:+UseG1GC',
        '-Djdk.attach.allowAttachSelf=true',
        '--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED',
        '--add-opens=java.base/java.lang=ALL-UNNAMED',
        '-Dio.netty.tryReflectionSetAccessible=true',
      ]),
    );
    expect(args.slice(-3)).toEqual(['-cp', '/lib/*', 'org.apache.cassandra.service.CassandraDaemon']);
  });
});

describe('influxdb.conf', () => {
  test('authentication and Flux on, pprof, reporting, the request log and the _internal store off, listeners on the port map', () => {
    const ctx = context();
    const conf = renderInfluxConfig(ctx);
    const data = join(ctx.paths.data, 'influxdb');
    for (const line of [
      'reporting-disabled = true',
      'bind-address = "127.0.0.1:29171"',
      `dir = "${join(data, 'meta')}"`,
      'retention-autocreate = false',
      `dir = "${join(data, 'data')}"`,
      `wal-dir = "${join(data, 'wal')}"`,
      'store-enabled = false',
      'bind-address = "127.0.0.1:29170"',
      'auth-enabled = true',
      'flux-enabled = true',
      'pprof-enabled = false',
      'log-enabled = false',
    ])
      expect(conf.split('\n').map((l) => l.trim())).toContain(line);
  });
});

describe('platform env for the databases', () => {
  test("admin credentials as files, the v2 client's token as a file, never a secret in the text", () => {
    const ctx = context();
    const cassandraPassword = ctx.secrets.ensure('cassandra/admin');
    const influxPassword = ctx.secrets.ensure('influxdb/admin');
    ctx.secrets.ensure('kafka/admin');
    const vars = clientEnvironment(ctx);
    expect(vars).toMatchObject({
      SLUICE_CASSANDRA_CONTACT_POINT: '127.0.0.1:29160',
      SLUICE_CASSANDRA_USER: 'admin',
      SLUICE_CASSANDRA_PASSWORD_FILE: ctx.secrets.pathOf('cassandra/admin'),
      SLUICE_CASSANDRA_KEYSPACE: 'sluice',
      SLUICE_INFLUX_URL: 'http://127.0.0.1:29170',
      SLUICE_INFLUX_USER: 'admin',
      SLUICE_INFLUX_PASSWORD_FILE: ctx.secrets.pathOf('influxdb/admin'),
      SLUICE_INFLUX_DATABASE: 'sluice',
      SLUICE_INFLUX_TOKEN_FILE: join(ctx.paths.clients, 'admin', 'influx-token'),
    });
    expect(readFileSync(vars.SLUICE_INFLUX_TOKEN_FILE!, 'utf8')).toBe(`admin:${influxPassword}\n`);
    expect(statSync(vars.SLUICE_INFLUX_TOKEN_FILE!).mode & 0o777).toBe(0o600);
    const text = exportLines(vars);
    expect(text).toContain(`export SLUICE_CASSANDRA_PASSWORD="$(cat ${ctx.secrets.pathOf('cassandra/admin')})"`);
    expect(text).toContain(`export SLUICE_INFLUX_TOKEN="$(cat ${vars.SLUICE_INFLUX_TOKEN_FILE})"`);
    expect(text).not.toContain(cassandraPassword);
    expect(text).not.toContain(influxPassword);
  });

  test('no database variables before the databases were started once', () => {
    const ctx = context();
    ctx.secrets.ensure('kafka/admin');
    expect(Object.keys(clientEnvironment(ctx)).filter((k) => /CASSANDRA|INFLUX/.test(k))).toEqual([]);
    expect(writeInfluxTokenFile(ctx, 'grafana', 'influxdb/grafana')).toBe(
      join(ctx.paths.clients, 'grafana', 'influx-token'),
    );
  });
});

describe('passwords in statements', () => {
  test('are masked before a statement reaches a message or a log', () => {
    expect(redactCql("CREATE ROLE IF NOT EXISTS 'admin' WITH PASSWORD = 's3''cret' AND LOGIN = true")).toBe(
      "CREATE ROLE IF NOT EXISTS 'admin' WITH PASSWORD = '***' AND LOGIN = true",
    );
    expect(redactInfluxQl("CREATE USER \"grafana\" WITH PASSWORD 'p\\'w'")).toBe(
      'CREATE USER "grafana" WITH PASSWORD \'***\'',
    );
    expect(redactInfluxQl('SET PASSWORD FOR "grafana" = \'pw\'')).toBe('SET PASSWORD FOR "grafana" = \'***\'');
  });
});
