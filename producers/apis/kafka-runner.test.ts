/**
 * The Kafka side without a platform: a fake kafkajs producer receives what the engine sends (Avro in the
 * Confluent wire format) and the dead letters (raw item, reason in headers); a fake registry answers the
 * schema lookups as run-simulation's tests do.
 */
import type { Kafka, Message } from 'kafkajs';
import { createLogger } from '../../lib/log';
import type { RegisteredSchema, RegistryClient } from '../../lib/registry/client';
import { readSchema } from '../../schemas';
import { decodeWireHeader, parseSchema } from '../../lib/avro/wire';
import { topicSerializers } from '../../lib/avro/serializers';
import { QueueSource, runIngestorOnKafka } from './kafka-runner';
import { API_TOPIC_SCHEMAS } from './topics';
import { fixtureJson, serve } from './testing/fixture-server';
import { without } from './testing/payloads';
import { TEST_KEYS, ingestorsSpec } from './testing/setup';

const registry = (ids: Record<string, number>) =>
  ({
    latest: async (subject: string): Promise<RegisteredSchema | undefined> => {
      const topic = subject.replace(/-value$/, '');
      const name = API_TOPIC_SCHEMAS[topic];
      return name && ids[topic]
        ? { subject, id: ids[topic]!, version: 1, schema: JSON.stringify(readSchema(name)) }
        : undefined;
    },
  }) as unknown as RegistryClient;

function fakeKafka() {
  const batches: Array<{ topic: string; messages: Message[] }> = [];
  const sent: Array<{ topic: string; messages: Message[] }> = [];
  const kafka = {
    producer: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      sendBatch: async ({ topicMessages }: { topicMessages: Array<{ topic: string; messages: Message[] }> }) =>
        void batches.push(...topicMessages),
      send: async (record: { topic: string; messages: Message[] }) => void sent.push(record),
    }),
    // The engine asks for the partition counts of its topics once.
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
        topics: topics.map((name) => ({ name, partitions: [0, 1, 2].map((partitionId) => ({ partitionId })) })),
      }),
    }),
  } as unknown as Kafka;
  return { kafka, batches, sent };
}

describe('QueueSource', () => {
  it('hands the engine one record per pull, in order', () => {
    const queue = new QueueSource();
    queue.write([
      { topic: 't', key: 'a', value: {}, timestamp: 1 },
      { topic: 't', key: 'b', value: {}, timestamp: 2 },
    ]);
    expect([queue.next().map((r) => r.key), queue.next().map((r) => r.key), queue.next(), queue.size]).toEqual([
      ['a'],
      ['b'],
      [],
      0,
    ]);
  });
});

describe('topicSerializers for the API topics', () => {
  it('uses the registry id of each topic, and refuses a topic whose schema is not registered', async () => {
    const serializers = await topicSerializers(registry({ 'api.weather': 7 }), ['api.weather'], API_TOPIC_SCHEMAS);
    expect(serializers.get('api.weather')?.schemaId).toBe(7);
    await expect(topicSerializers(registry({}), ['api.weather'], API_TOPIC_SCHEMAS)).rejects.toThrow(
      'no schema is registered for api.weather-value',
    );
  });
});

describe('runIngestorOnKafka', () => {
  it('produces one poll as Avro with the registered schema id, and dead letters as raw items with the reason in headers', async () => {
    const latest = without(fixtureJson('openaq-v3-locations-id-latest.json'), ['results', 0, 'value']);
    const routes = [
      { path: '/v3/locations/2178', reply: { body: fixtureJson('openaq-v3-locations-id.json') } },
      { path: '/v3/locations/2178/latest', reply: { body: latest } },
    ];
    await serve(routes, async (server) => {
      const { kafka, batches, sent } = fakeKafka();
      const summary = await runIngestorOnKafka({
        api: 'openaq',
        ingestors: ingestorsSpec('openaq', { locations: [2178] }),
        kafka,
        registry: registry({ 'api.air-quality': 42 }),
        log: createLogger({ write: () => undefined }),
        once: true,
        env: { SLUICE_OPENAQ_API_KEY: TEST_KEYS.SLUICE_OPENAQ_API_KEY! },
        baseUrl: server.url,
      });
      expect([summary.engine.sent, summary.engine.failed, summary.ingest.records, summary.ingest.deadLetters]).toEqual([
        7, 0, 7, 1,
      ]);
      const messages = batches.flatMap((b) => b.messages);
      expect(batches.every((b) => b.topic === 'api.air-quality')).toBe(true);
      const type = parseSchema(readSchema('air-quality-measurement'));
      const first = decodeWireHeader(messages[0]!.value as Buffer);
      expect(first.schemaId).toBe(42);
      expect(type.fromBuffer(first.body)).toMatchObject({ source: 'openaq', location_id: '2178' });
      expect(sent).toEqual([
        {
          topic: 'dlq.ingest',
          acks: -1,
          messages: [
            {
              key: 'openaq:location/2178',
              value: expect.stringContaining('"sensorsId":3916'),
              timestamp: expect.any(String),
              headers: {
                'sluice-reason': 'missing-field',
                'sluice-error': 'openaq: required field results[0].value is missing',
                'sluice-api': 'openaq',
                'sluice-target': 'location/2178',
                'sluice-field': 'results[0].value',
                'sluice-topic': 'api.air-quality',
              },
            },
          ],
        },
      ]);
    });
  });
});
