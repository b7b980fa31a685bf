/** SchemaRegistryAdmin over the registry's Confluent-compatible API (Apicurio's /apis/ccompat/v7). */
import { RegistryClient, type Compatibility, type RegistryOptions } from '../../lib/registry/client';
import { sameSchema } from '../../lib/registry/schema-text';
import type { ObservedSubject, SchemaRegistryAdmin } from './registry-types';

export class HttpSchemaRegistryAdmin implements SchemaRegistryAdmin {
  private readonly client: RegistryClient;

  constructor(options: RegistryOptions | RegistryClient) {
    this.client = options instanceof RegistryClient ? options : new RegistryClient(options);
  }

  async observeSubject(subject: string, desiredSchema?: string): Promise<ObservedSubject | undefined> {
    const latest = await this.client.latest(subject);
    if (!latest) return undefined;
    const observed: ObservedSubject = {
      subject,
      latest: { id: latest.id, version: latest.version, schema: latest.schema },
    };
    const compatibility = await this.client.compatibility(subject);
    if (compatibility) observed.compatibility = compatibility;
    if (desiredSchema !== undefined && !sameSchema(desiredSchema, latest.schema)) {
      observed.candidate = await this.client.checkCompatibility(subject, desiredSchema);
    }
    return observed;
  }

  register(subject: string, schema: string): Promise<number> {
    return this.client.register(subject, schema);
  }

  setCompatibility(subject: string, level: Compatibility): Promise<void> {
    return this.client.setCompatibility(subject, level);
  }

  deleteSubject(subject: string): Promise<void> {
    return this.client.deleteSubject(subject);
  }
}
