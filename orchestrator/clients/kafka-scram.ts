/**
 * SCRAM credential administration (KIP-554: DescribeUserScramCredentials, AlterUserScramCredentials),
 * which kafkajs does not implement. The two requests are encoded here and sent over kafkajs' own
 * authenticated broker connection, the way kafkajs itself sends flexible-version requests
 * (e.g. its AlterPartitionReassignments v0): the request header's empty tagged-field buffer is written
 * as the first byte of the body, and read back first from the response.
 * See docs/decisions/0001-kafka-client.md for why this lives here rather than in another client library.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { KafkaConfig } from 'kafkajs';
import { SluiceError } from '../../lib/errors';

/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs internals are CommonJS only */
const Cluster = require('kafkajs/src/cluster');
const Encoder = require('kafkajs/src/protocol/encoder');
const Decoder = require('kafkajs/src/protocol/decoder');
const { createLogger, LEVELS } = require('kafkajs/src/loggers');
const socketFactory = require('kafkajs/src/network/socketFactory');
/* eslint-enable @typescript-eslint/no-require-imports */

const DESCRIBE_USER_SCRAM_CREDENTIALS = 50;
const ALTER_USER_SCRAM_CREDENTIALS = 51;
export const SCRAM_SHA_512 = 2;
export const SCRAM_ITERATIONS = 8192;

interface KafkaEncoder {
  writeInt8(v: number): KafkaEncoder;
  writeInt32(v: number): KafkaEncoder;
  writeUVarInt(v: number): KafkaEncoder;
  writeUVarIntString(v: string): KafkaEncoder;
  writeUVarIntBytes(v?: Buffer | null): KafkaEncoder;
  writeUVarIntArray(v: KafkaEncoder[] | null): KafkaEncoder;
}
interface KafkaDecoder {
  readInt8(): number;
  readInt16(): number;
  readInt32(): number;
  readUVarIntString(): string | null;
  readUVarIntArray<T>(reader: (d: KafkaDecoder) => T): T[] | null;
  readTaggedFields(): void;
}

export interface ScramUserResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
}

export interface ScramUserDescription extends ScramUserResult {
  mechanisms: Array<{ mechanism: number; iterations: number }>;
}

export interface ScramUpsertion {
  user: string;
  password: string;
}

const encoder = (): KafkaEncoder => new Encoder() as KafkaEncoder;
const emptyTags = (e: KafkaEncoder) => e.writeUVarInt(0);

function describeRequest() {
  return {
    request: {
      apiKey: DESCRIBE_USER_SCRAM_CREDENTIALS,
      apiVersion: 0,
      apiName: 'DescribeUserScramCredentials',
      // header tags, users = null (every user), body tags
      encode: async () => emptyTags(encoder().writeUVarIntBytes(null).writeUVarIntArray(null)),
    },
    response: {
      decode: async (raw: Buffer) => {
        const d = new Decoder(raw) as KafkaDecoder;
        d.readTaggedFields();
        d.readInt32(); // throttle
        const errorCode = d.readInt16();
        const errorMessage = d.readUVarIntString();
        const results =
          d.readUVarIntArray((r): ScramUserDescription => {
            const user = r.readUVarIntString() ?? '';
            const userError = r.readInt16();
            const userMessage = r.readUVarIntString();
            const mechanisms =
              r.readUVarIntArray((c) => {
                const info = { mechanism: c.readInt8(), iterations: c.readInt32() };
                c.readTaggedFields();
                return info;
              }) ?? [];
            r.readTaggedFields();
            return { user, errorCode: userError, errorMessage: userMessage, mechanisms };
          }) ?? [];
        return { errorCode, errorMessage, results };
      },
      parse: async <T>(data: T) => data,
    },
  };
}

function alterRequest(deletions: string[], upsertions: ScramUpsertion[]) {
  return {
    request: {
      apiKey: ALTER_USER_SCRAM_CREDENTIALS,
      apiVersion: 0,
      apiName: 'AlterUserScramCredentials',
      encode: async () => {
        const deleted = deletions.map((user) => emptyTags(encoder().writeUVarIntString(user).writeInt8(SCRAM_SHA_512)));
        const upserted = upsertions.map(({ user, password }) => {
          const salt = randomBytes(32);
          // The client computes the salted password (RFC 5802 Hi()); the broker never sees the password.
          const saltedPassword = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 64, 'sha512');
          return emptyTags(
            encoder()
              .writeUVarIntString(user)
              .writeInt8(SCRAM_SHA_512)
              .writeInt32(SCRAM_ITERATIONS)
              .writeUVarIntBytes(salt)
              .writeUVarIntBytes(saltedPassword),
          );
        });
        return emptyTags(encoder().writeUVarIntBytes(null).writeUVarIntArray(deleted).writeUVarIntArray(upserted));
      },
    },
    response: {
      decode: async (raw: Buffer) => {
        const d = new Decoder(raw) as KafkaDecoder;
        d.readTaggedFields();
        d.readInt32(); // throttle
        const results =
          d.readUVarIntArray((r): ScramUserResult => {
            const result = {
              user: r.readUVarIntString() ?? '',
              errorCode: r.readInt16(),
              errorMessage: r.readUVarIntString(),
            };
            r.readTaggedFields();
            return result;
          }) ?? [];
        return { results };
      },
      parse: async <T>(data: T) => data,
    },
  };
}

type ClusterConfig = Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl' | 'clientId' | 'connectionTimeout'>;

async function withBroker<T>(
  config: ClusterConfig,
  fn: (send: (req: unknown) => Promise<unknown>) => Promise<T>,
): Promise<T> {
  const cluster = new Cluster({
    ...config,
    logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => undefined }),
    socketFactory: socketFactory(),
    authenticationTimeout: 10_000,
    retry: { retries: 5 },
  });
  await cluster.connect();
  try {
    await cluster.refreshMetadata();
    const broker = await cluster.findControllerBroker();
    return await fn((req) => broker.connectionPool.send(req));
  } finally {
    await cluster.disconnect();
  }
}

function raiseFirstError(results: ScramUserResult[]): void {
  const failed = results.find((r) => r.errorCode !== 0);
  if (failed) {
    throw new SluiceError(
      'SLUICE_KAFKA_ERROR',
      `SCRAM credential of ${failed.user}: Kafka error ${failed.errorCode}${failed.errorMessage ? ` (${failed.errorMessage})` : ''}`,
    );
  }
}

export async function describeScramUsers(config: ClusterConfig): Promise<ScramUserDescription[]> {
  const response = (await withBroker(config, (send) => send(describeRequest()))) as {
    errorCode: number;
    errorMessage: string | null;
    results: ScramUserDescription[];
  };
  if (response.errorCode !== 0) {
    throw new SluiceError(
      'SLUICE_KAFKA_ERROR',
      `describing SCRAM users: Kafka error ${response.errorCode} ${response.errorMessage ?? ''}`.trim(),
    );
  }
  return response.results;
}

export async function alterScramUsers(
  config: ClusterConfig,
  deletions: string[],
  upsertions: ScramUpsertion[],
): Promise<void> {
  const response = (await withBroker(config, (send) => send(alterRequest(deletions, upsertions)))) as {
    results: ScramUserResult[];
  };
  raiseFirstError(response.results);
}
