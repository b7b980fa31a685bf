/**
 * The serializer of each topic a producer writes: the schema id of the registry's latest version of
 * `<topic>-value`, which must be the topic's schema in schemas/. Producers only read the registry;
 * deploy-pipeline registers schemas, so a schema change goes through a plan (and its compatibility
 * check) before any record uses it.
 */
import { SluiceError } from '../errors';
import type { RegistryClient } from '../registry/client';
import { sameSchema } from '../registry/schema-text';
import { readSchema, type SchemaName } from '../../schemas';
import { parseSchema, type AvroType } from './wire';

/** How one topic's record values are written: the registry's schema id and the Avro type it names. */
export interface TopicSerializer {
  schemaId: number;
  type: AvroType;
}

/** `schemaOf` maps each topic to its schema in schemas/; `where` names that map in the error. */
export async function topicSerializers(
  registry: RegistryClient,
  topics: readonly string[],
  schemaOf: Readonly<Record<string, SchemaName>>,
  where = "the producer's topic list",
): Promise<Map<string, TopicSerializer>> {
  const serializers = new Map<string, TopicSerializer>();
  for (const topic of topics) {
    const name = schemaOf[topic];
    if (!name)
      throw new SluiceError('SLUICE_SCHEMA_NOT_REGISTERED', `no schema in schemas/ is declared for ${topic}`, {
        path: topic,
        fix: `add it to ${where}`,
      });
    const file = `schemas/${name}.avsc`;
    const schema = readSchema(name);
    const subject = `${topic}-value`;
    const latest = await registry.latest(subject);
    if (!latest || !sameSchema(latest.schema, JSON.stringify(schema))) {
      throw new SluiceError(
        'SLUICE_SCHEMA_NOT_REGISTERED',
        latest
          ? `the registry's latest version of ${subject} (version ${latest.version}) is not ${file}`
          : `no schema is registered for ${subject}`,
        {
          path: subject,
          fix: `register it from the spec: npm run deploy-pipeline (pipeline.yaml declares valueSchema: ${file} for ${topic})`,
        },
      );
    }
    serializers.set(topic, { schemaId: latest.id, type: parseSchema(schema) });
  }
  return serializers;
}
