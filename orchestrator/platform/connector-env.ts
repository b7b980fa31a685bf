/**
 * What `${NAME}` stands for in connector files (connectors/*.json, docs/spec-reference.md#connectors):
 * the platform's settings as `sluice platform env` prints them, without any password of the admin
 * identity, and what only connectors need: the registry's v2 API (Apicurio's converter), the databases'
 * addresses, and the connectors' own database users with their passwords. deploy-pipeline fills them in
 * the requests it sends to Connect; plans show a secret as `(secret)`.
 */
import { clientEnvironment } from './client-env';
import type { PlatformContext } from './component';
import { CASSANDRA_CONNECT_SECRET, CASSANDRA_CONNECT_USER, cassandraContactPoint } from './components/cassandra';
import { INFLUX_WRITER_SECRET, INFLUX_WRITER_USER, influxUrl } from './components/influxdb';

/** The names of the placeholders only connectors have (beside the SLUICE_* of `platform env`). */
export const CONNECTOR_ONLY_PLACEHOLDERS = [
  'SLUICE_REGISTRY_V2_URL',
  'SLUICE_CASSANDRA_CONTACT_POINT',
  'SLUICE_CASSANDRA_DATACENTER',
  'SLUICE_CONNECT_CASSANDRA_USER',
  'SLUICE_CONNECT_CASSANDRA_PASSWORD',
  'SLUICE_INFLUX_URL',
  'SLUICE_CONNECT_INFLUX_USER',
  'SLUICE_CONNECT_INFLUX_PASSWORD',
] as const;

export function connectorPlaceholders(ctx: PlatformContext): Record<string, string> {
  // Addresses and names only: no file of a secret, so no `${…_PASSWORD}` of the admin identity exists.
  const platform = Object.fromEntries(
    Object.entries(clientEnvironment(ctx)).filter(([key]) => !/_(PASSWORD|PASSWORD_FILE|TOKEN|TOKEN_FILE)$/.test(key)),
  );
  return {
    ...platform,
    SLUICE_REGISTRY_V2_URL: `http://${ctx.host}:${ctx.ports.registry}/apis/registry/v2`,
    SLUICE_CASSANDRA_CONTACT_POINT: cassandraContactPoint(ctx),
    // One node with SimpleSnitch: its datacenter is always `datacenter1`.
    SLUICE_CASSANDRA_DATACENTER: 'datacenter1',
    SLUICE_CONNECT_CASSANDRA_USER: CASSANDRA_CONNECT_USER,
    // The same secrets the launcher creates the database users with (ensure: whoever runs first makes it).
    SLUICE_CONNECT_CASSANDRA_PASSWORD: ctx.secrets.ensure(CASSANDRA_CONNECT_SECRET),
    SLUICE_INFLUX_URL: influxUrl(ctx),
    SLUICE_CONNECT_INFLUX_USER: INFLUX_WRITER_USER,
    SLUICE_CONNECT_INFLUX_PASSWORD: ctx.secrets.ensure(INFLUX_WRITER_SECRET),
  };
}
