/**
 * The one module through which Sluice talks to Kafka (docs/decisions/0001-kafka-client.md): kafkajs,
 * always over SASL_SSL with SCRAM-SHA-512 and hostname verification. Services read their connection
 * from the environment that `sluice platform env` prints; nothing here knows about the launcher.
 */
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { SluiceError, messageOf } from '../errors';
import { log as rootLog, type Logger } from '../log';

export interface KafkaConnection {
  brokers: string[];
  /** PEM of the CA that signed the brokers' certificates. */
  ca: string;
  username: string;
  password: string;
  clientId?: string;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) {
    throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', `${name} is not set`, {
      fix: 'start the platform (npm start) and load its settings: eval "$(npx sluice platform env)"',
    });
  }
  return value;
}

/** The connection described by SLUICE_* variables; the password may come from a file (`*_FILE`). */
export function connectionFromEnv(env: NodeJS.ProcessEnv = process.env, clientId?: string): KafkaConnection {
  const passwordFile = env.SLUICE_KAFKA_PASSWORD_FILE;
  const password = passwordFile ? readFileSync(passwordFile, 'utf8').trim() : required(env, 'SLUICE_KAFKA_PASSWORD');
  return {
    brokers: required(env, 'SLUICE_BOOTSTRAP_SERVERS')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    ca: readFileSync(required(env, 'SLUICE_CA_FILE'), 'utf8'),
    username: required(env, 'SLUICE_KAFKA_USER'),
    password,
    ...(clientId ? { clientId } : {}),
  };
}

function logCreator(logger: Logger) {
  // kafkajs logs retriable conditions (a coordinator still loading) at ERROR; what really fails is
  // thrown to the caller, so its own lines stay at debug level.
  return () => (entry: LogEntry) => {
    const { message, ...rest } = entry.log;
    logger.debug(message, { logger: 'kafkajs', namespace: entry.namespace, ...rest });
  };
}

export interface KafkaClientOptions {
  /** Retries for the client's own requests; 0 makes failures surface at once (for probes). */
  retries?: number;
  connectionTimeoutMs?: number;
  logger?: Logger;
}

export function createKafka(connection: KafkaConnection, options: KafkaClientOptions = {}): Kafka {
  const config: KafkaConfig = {
    clientId: connection.clientId ?? 'sluice',
    brokers: connection.brokers,
    ssl: { ca: [connection.ca], rejectUnauthorized: true },
    sasl: { mechanism: 'scram-sha-512', username: connection.username, password: connection.password },
    connectionTimeout: options.connectionTimeoutMs ?? 10_000,
    authenticationTimeout: 10_000,
    logLevel: logLevel.WARN,
    logCreator: logCreator(options.logger ?? rootLog),
    ...(options.retries !== undefined ? { retry: { retries: options.retries } } : {}),
  };
  return new Kafka(config);
}

/** kafkajs errors as SluiceErrors with a code a caller can act on. */
export function toSluiceError(error: unknown, what: string): SluiceError {
  if (error instanceof SluiceError) return error;
  const name = (error as { name?: string })?.name ?? '';
  const type = (error as { type?: string })?.type ?? '';
  const message = `${what}: ${messageOf(error)}`;
  if (name === 'KafkaJSSASLAuthenticationError' || /SSL|certificate|handshake/i.test(messageOf(error))) {
    return new SluiceError('SLUICE_KAFKA_AUTH_FAILED', message, { cause: error });
  }
  if (/AUTHORIZATION_FAILED/.test(type) || /not authorized/i.test(messageOf(error))) {
    return new SluiceError('SLUICE_KAFKA_NOT_AUTHORIZED', message, { cause: error });
  }
  const retriable = (error as { retriable?: boolean })?.retriable;
  return new SluiceError('SLUICE_KAFKA_ERROR', message, {
    cause: error,
    ...(retriable !== undefined ? { retriable } : {}),
  });
}
