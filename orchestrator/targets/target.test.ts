/**
 * Targets: the local platform as settings (the same values its components use), and a targets-file
 * entry reached without any pid file or SLUICE_HOME. No server: clients are made, never connected.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../lib/log';
import { SluiceError } from '../../lib/errors';
import { sqlPlaceholders } from '../platform/components/flink';
import { bootstrapServers } from '../platform/components/kafka';
import { sqlQueryPlaceholders } from '../platform/components/flink-query';
import { registryUrl } from '../platform/components/registry';
import { connectorPlaceholders } from '../platform/connector-env';
import { createContext } from '../platform/platform';
import { targetClients, targetFlinkQueryAdmin, targetSqlPlaceholders } from './clients';
import { targetClientEnvironment } from './env';
import type { TargetEntry } from './schema';
import { fileTarget, localTarget, localTargetEntry, registryApis } from './target';
import { parseTargets, writeTargetEntry } from './targets-file';

const log = createLogger({ level: 'error' });

function thrown(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SluiceError) return error;
    throw error;
  }
  throw new Error('expected a SluiceError');
}

function localContext() {
  const home = mkdtempSync(join(tmpdir(), 'sluice-home-'));
  return createContext({ SLUICE_HOME: home, SLUICE_PORT_BASE: '41000' }, log);
}

describe('the local platform as a target', () => {
  it('is an entry of the targets format, with the values its components use', () => {
    const ctx = localContext();
    const entry = localTargetEntry(ctx);
    expect(parseTargets(JSON.stringify({ version: 1, targets: { here: entry } }), 't.yaml').targets.here).toEqual(
      entry,
    );
    expect(entry.kafka.bootstrapServers.join(',')).toBe(bootstrapServers(ctx));
    expect(entry.kafka.bootstrapServers).toHaveLength(3);
    expect(registryApis(entry.registry.url).ccompat).toBe(registryUrl(ctx));
    expect(entry.secretsDir).toBe(ctx.paths.secrets);
    expect(entry.kafka.passwordFile).toBe(ctx.secrets.pathOf('kafka/admin'));
  });

  it("gives Flink's jobs and queries the placeholders the launcher's own functions give", () => {
    const ctx = localContext();
    const target = localTarget(ctx);
    expect(targetSqlPlaceholders(target, target.settings.flink!)).toEqual(sqlPlaceholders(ctx));
    expect(target.connectorPlaceholders).toBeDefined();
    expect(sqlQueryPlaceholders(ctx).KAFKA).toContain(target.settings.flink!.queryLoginFile!);
  });

  it('runs nothing and refuses Kafka while no pid file says it runs', () => {
    const target = localTarget(localContext());
    expect(target.runs).toEqual({ flink: false, connect: false, cassandra: false, influxdb: false });
    expect(thrown(() => targetClients(target)).code).toBe('SLUICE_PLATFORM_NOT_RUNNING');
    expect(thrown(() => targetFlinkQueryAdmin(target)).code).toBe('SLUICE_PLATFORM_NOT_RUNNING');
  });
});

describe('a target of a targets file', () => {
  let dir: string;
  let file: string;

  /** A cluster's files as an installation leaves them: secrets 0600, certificates readable. */
  function installation(): TargetEntry {
    dir = mkdtempSync(join(tmpdir(), 'sluice-cluster-'));
    const put = (name: string, text: string, mode = 0o600) => {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text, { mode });
    };
    for (const [name, value] of [
      ['secrets/kafka-admin', 'kafka-pw'],
      ['secrets/registry-admin', 'registry-pw'],
      ['secrets/connect-admin', 'connect-pw'],
      ['secrets/cassandra-admin', 'cassandra-pw'],
      ['pipeline/registry/sluice-flink', 'flink-registry-pw'],
      ['pipeline/cassandra/sluice-connect', 'cassandra-connect-pw'],
      ['pipeline/users/sluice-web', 'web-pw'],
      ['certs/flink-client.key', 'KEY'],
    ])
      put(name!, `${value}\n`);
    put('certs/ca.pem', 'CA', 0o644);
    put('certs/flink-ca.pem', 'FLINK CA', 0o644);
    put('certs/flink-client.crt', 'CERT', 0o644);
    return {
      kafka: {
        bootstrapServers: ['10.213.77.11:9093', '10.213.77.12:9093', '10.213.77.13:9093'],
        user: 'admin',
        passwordFile: 'secrets/kafka-admin',
        caFile: 'certs/ca.pem',
      },
      registry: { url: 'http://10.213.77.11:8080/', user: 'registry-admin', passwordFile: 'secrets/registry-admin' },
      connect: { url: 'http://10.213.77.12:8083', user: 'connect-admin', passwordFile: 'secrets/connect-admin' },
      flink: {
        restUrl: 'https://10.213.77.11:8081',
        gatewayUrl: 'https://10.213.77.11:8083',
        caFile: 'certs/flink-ca.pem',
        certFile: 'certs/flink-client.crt',
        keyFile: 'certs/flink-client.key',
        kafkaCaFile: '/opt/sluice/certs/ca.pem',
        queryLoginFile: '/opt/sluice/config/flink/query-login.properties',
      },
      cassandra: { contactPoint: '10.213.77.13:9042', user: 'admin', passwordFile: 'secrets/cassandra-admin' },
      secretsDir: 'pipeline',
      stateDir: 'state',
    };
  }

  beforeEach(() => {
    const entry = installation();
    file = join(dir, 'targets.yaml');
    writeTargetEntry(file, 'lab', entry);
  });

  it('makes a client per section it has, reading no pid file', async () => {
    const target = fileTarget(file, 'lab', log);
    expect(target.runs).toEqual({ flink: true, connect: true, cassandra: true, influxdb: false });
    const clients = targetClients(target);
    expect(Object.keys(clients).sort()).toEqual(['cassandra', 'close', 'connect', 'flink', 'kafka', 'registry']);
    await clients.close();
  });

  it("gives SQL jobs the cluster's brokers, the CA as Flink sees it and the registry's Flink password", () => {
    const target = fileTarget(file, 'lab', log);
    const placeholders = targetSqlPlaceholders(target, target.settings.flink!);
    expect(placeholders.KAFKA).toContain("'properties.bootstrap.servers' = '10.213.77.11:9093,10.213.77.12:9093");
    expect(placeholders.KAFKA).toContain("'properties.ssl.truststore.location' = '/opt/sluice/certs/ca.pem'");
    expect(placeholders.REGISTRY).toContain("'http://10.213.77.11:8080/apis/ccompat/v7'");
    expect(placeholders.REGISTRY).toContain('sluice-flink:flink-registry-pw');
  });

  it('gives connectors the names the local platform gives them, from its own secrets', () => {
    const target = fileTarget(file, 'lab', log);
    const placeholders = target.connectorPlaceholders();
    expect(placeholders).toMatchObject({
      SLUICE_BOOTSTRAP_SERVERS: '10.213.77.11:9093,10.213.77.12:9093,10.213.77.13:9093',
      SLUICE_REGISTRY_V2_URL: 'http://10.213.77.11:8080/apis/registry/v2',
      SLUICE_CASSANDRA_CONTACT_POINT: '10.213.77.13:9042',
      SLUICE_CASSANDRA_DATACENTER: 'datacenter1',
      SLUICE_CONNECT_CASSANDRA_PASSWORD: 'cassandra-connect-pw',
    });
    // The same names as the local platform's, for what this cluster has (no InfluxDB here).
    const ctx = localContext();
    ctx.secrets.write('kafka/admin', 'x');
    const local = Object.keys(connectorPlaceholders(ctx));
    expect(Object.keys(placeholders).filter((k) => !local.includes(k))).toEqual([]);
    expect(placeholders.SLUICE_INFLUX_URL).toBeUndefined();
  });

  it('refuses an unreadable password file by its setting (and reads it once it is private: the control)', () => {
    const target = fileTarget(file, 'lab', log);
    const passwordFile = target.settings.kafka.passwordFile;
    writeFileSync(passwordFile, 'kafka-pw\n', { mode: 0o644 });
    chmodSync(passwordFile, 0o644);
    const error = thrown(() => targetClients(target));
    expect(error.code).toBe('SLUICE_TARGET_SECRET_UNREADABLE');
    expect(error.message).toContain('targets.lab.kafka.passwordFile');
    chmodSync(passwordFile, 0o600);
    expect(() => targetClients(target)).not.toThrow();
  });

  it('refuses a pipeline secret missing from secretsDir', () => {
    const entry = installation();
    entry.secretsDir = 'elsewhere';
    file = join(dir, 'targets.yaml');
    writeTargetEntry(file, 'lab', entry);
    const error = thrown(() => fileTarget(file, 'lab', log).connectorPlaceholders());
    expect(error.code).toBe('SLUICE_TARGET_SECRET_UNREADABLE');
    expect(error.message).toContain('cassandra/sluice-connect');
  });

  it('makes a query client with the login file the entry names, and refuses one without it', () => {
    const target = fileTarget(file, 'lab', log);
    expect(() => targetFlinkQueryAdmin(target)).not.toThrow();
    const entry = installation();
    delete entry.flink!.queryLoginFile;
    file = join(dir, 'targets.yaml');
    writeTargetEntry(file, 'lab', entry);
    expect(thrown(() => targetFlinkQueryAdmin(fileTarget(file, 'lab', log))).code).toBe('SLUICE_TARGET_INVALID');
  });

  it("prints env variables that name the secrets' files, writing the Kafka client configs 0600", () => {
    const target = fileTarget(file, 'lab', log);
    const clients = join(dir, 'clients');
    const vars = targetClientEnvironment(target, undefined, clients);
    expect(vars).toMatchObject({
      SLUICE_TARGET: 'lab',
      SLUICE_KAFKA_USER: 'admin',
      SLUICE_KAFKA_PASSWORD_FILE: join(dir, 'secrets/kafka-admin'),
      SLUICE_REGISTRY_URL: 'http://10.213.77.11:8080/apis/ccompat/v7',
      SLUICE_FLINK_KEY_FILE: join(dir, 'certs/flink-client.key'),
    });
    expect(Object.values(vars).join('\n')).not.toMatch(/kafka-pw|registry-pw|connect-pw/);
    expect(statSync(vars.SLUICE_KCAT_CONFIG!).mode & 0o777).toBe(0o600);
    expect(readFileSync(vars.SLUICE_KCAT_CONFIG!, 'utf8')).toContain('sasl.password=kafka-pw');
    // A principal: its password from the pipeline's secrets, and none of the servers' admin credentials.
    const web = targetClientEnvironment(target, { user: 'sluice-web', secret: 'users/sluice-web' }, clients);
    expect(web.SLUICE_KAFKA_PASSWORD_FILE).toBe(join(dir, 'pipeline/users/sluice-web'));
    expect(web.SLUICE_REGISTRY_PASSWORD_FILE).toBeUndefined();
    expect(web.SLUICE_FLINK_KEY_FILE).toBeUndefined();
  });
});
