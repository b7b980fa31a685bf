import { isSluiceError } from '../lib/errors';
import type { RegisteredSchema, RegistryClient } from '../lib/registry/client';
import { readSchema } from '../schemas';
import { topicSerializers } from '../lib/avro/serializers';
import { TOPIC_SCHEMAS } from './simulators';

/** Only `latest` is read by topicSerializers: producers never write to the registry. */
const registryWith = (latest: RegisteredSchema | undefined) =>
  ({ latest: async () => latest }) as unknown as RegistryClient;

describe('topicSerializers', () => {
  it('uses the id of the latest version when it is the schema in schemas/', async () => {
    const schema = JSON.stringify(readSchema('anomaly-label'), null, 2);
    const serializers = await topicSerializers(
      registryWith({ subject: 'labels.web-value', id: 42, version: 3, schema }),
      ['labels.web'],
      TOPIC_SCHEMAS,
    );
    expect(serializers.get('labels.web')?.schemaId).toBe(42);
  });

  it('refuses a topic without a registered schema, saying to deploy the pipeline', async () => {
    const error = await topicSerializers(registryWith(undefined), ['labels.web'], TOPIC_SCHEMAS).catch(
      (e: unknown) => e,
    );
    expect(isSluiceError(error, 'SLUICE_SCHEMA_NOT_REGISTERED')).toBe(true);
    expect((error as Error).message).toBe('no schema is registered for labels.web-value');
    expect((error as { fix?: string }).fix).toMatch(/npm run deploy-pipeline .*schemas\/anomaly-label\.avsc/);
  });

  it('refuses a latest version that is another schema', async () => {
    const error = await topicSerializers(
      registryWith({ subject: 'labels.web-value', id: 9, version: 2, schema: '"string"' }),
      ['labels.web'],
      TOPIC_SCHEMAS,
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "the registry's latest version of labels.web-value (version 2) is not schemas/anomaly-label.avsc",
    );
  });
});
