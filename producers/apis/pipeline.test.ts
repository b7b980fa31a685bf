/**
 * What the ingestors write is what pipeline.yaml declares: each topic with its value schema, one
 * principal per API allowed to produce exactly its topics and the dead-letter queue, and an
 * `ingestors` entry per API. Also: the recorded payloads here are the shared fixture set, unchanged.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../lib/repo';
import { API_MODULES } from './catalog';
import { API_NAMES } from './framework/types';
import { FIXTURES } from './testing/fixture-server';
import { API_TOPIC_SCHEMAS, DEAD_LETTER_TOPIC } from './topics';

interface Spec {
  topics: Array<{
    name: string;
    valueSchema?: string;
    partitions: number;
    replicationFactor?: number;
    config?: Record<string, unknown>;
  }>;
  principals: Array<{ name: string; produces?: string[] }>;
  ingestors?: Record<string, unknown>;
}

const spec = parse(readFileSync(join(repoRoot(), 'pipeline.yaml'), 'utf8')) as Spec;

describe.each(API_NAMES.map((api) => [api]))('%s in pipeline.yaml', (api) => {
  const { descriptor } = API_MODULES[api];

  it('declares its topics with their value schemas, 3 partitions, 3 replicas, min.insync.replicas 2', () => {
    for (const topic of descriptor.topics) {
      expect(spec.topics.find((t) => t.name === topic)).toMatchObject({
        valueSchema: `schemas/${API_TOPIC_SCHEMAS[topic]!}.avsc`,
        partitions: 3,
        replicationFactor: 3,
        config: { 'min.insync.replicas': 2 },
      });
    }
  });

  it('lets its principal produce to its topics and the dead-letter queue, nothing else', () => {
    const principal = spec.principals.find((p) => p.name === descriptor.principal);
    expect([...(principal?.produces ?? [])].sort()).toEqual([...descriptor.topics, DEAD_LETTER_TOPIC].sort());
  });

  it('configures it under ingestors', () => {
    expect(spec.ingestors?.[api]).toBeDefined();
  });
});

test('every topic an ingestor writes has a schema, and every schema entry is written', () => {
  const written = new Set(API_NAMES.flatMap((api) => API_MODULES[api].descriptor.topics));
  expect([...written].sort()).toEqual(Object.keys(API_TOPIC_SCHEMAS).sort());
});

const SHARED = '/work/shared/fixtures/apis';
(existsSync(SHARED) ? test : test.skip)('the recorded payloads are the shared fixture set, unchanged', () => {
  const names = readdirSync(SHARED).sort();
  expect(readdirSync(FIXTURES).sort()).toEqual(names);
  for (const name of names)
    expect(readFileSync(join(FIXTURES, name), 'utf8')).toBe(readFileSync(join(SHARED, name), 'utf8'));
});
