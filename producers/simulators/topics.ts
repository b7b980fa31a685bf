/**
 * The topics each simulator writes (as declared in pipeline.yaml) and the schema of each topic, so the
 * producer engine can register schemas and pick a serializer per topic.
 */
import type { SchemaName } from '../../schemas';
import type { SimulatorSource } from './types';

export interface SourceTopics {
  /** The source's events. */
  events: string;
  /** One label per injected anomaly. */
  labels: string;
  /** Compacted reference data, the source's main reference topic first. */
  reference: readonly string[];
}

export const SIMULATOR_TOPICS: Readonly<Record<SimulatorSource, SourceTopics>> = {
  web: { events: 'web.access-logs', labels: 'labels.web', reference: ['ref.ip-ranges', 'ref.ip-blocks'] },
  iot: { events: 'iot.readings', labels: 'labels.iot', reference: ['ref.devices'] },
  finance: { events: 'finance.transactions', labels: 'labels.finance', reference: ['ref.accounts'] },
};

/** Every topic a simulator writes: events, labels, reference data. */
export function topicsOf(source: SimulatorSource): string[] {
  const { events, labels, reference } = SIMULATOR_TOPICS[source];
  return [events, labels, ...reference];
}

/** The Avro schema (`schemas/<name>.avsc`) of each topic a simulator writes. */
export const TOPIC_SCHEMAS: Readonly<Record<string, SchemaName>> = {
  'web.access-logs': 'web-access-log',
  'iot.readings': 'iot-reading',
  'finance.transactions': 'financial-transaction',
  'labels.web': 'anomaly-label',
  'labels.iot': 'anomaly-label',
  'labels.finance': 'anomaly-label',
  'ref.ip-ranges': 'ip-range',
  'ref.ip-blocks': 'ip-block',
  'ref.devices': 'device',
  'ref.accounts': 'account',
};
