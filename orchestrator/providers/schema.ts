/**
 * Avro value schemas in the registry, one subject per topic (`<topic>-value`). A schema that differs
 * from the subject's latest version becomes its next version, if the registry finds it compatible; an
 * incompatible one is refused with the registry's reason, so nothing is applied. Registered versions are
 * never edited: the registry keeps history, and consumers may still read records written with them.
 */
import type { Compatibility, ObservedSubject } from '../clients/registry-types';
import { sameSchema } from '../../lib/registry/schema-text';
import type { SchemaSpec } from '../spec/types';
import type { Change, Provider, StepBase } from './types';

export interface SchemaStep extends StepBase {
  kind: 'schema';
  subject: string;
  /** The schema to register (absent for delete and for a compatibility-only update). */
  schema?: string;
  /** The compatibility level to set, when it differs. */
  compatibility?: Compatibility;
}

export const schemaId = (subject: string): string => `schema/${subject}`;

function compatibilityChange(desired: SchemaSpec, observed: ObservedSubject | undefined): Change[] {
  if (observed?.compatibility === desired.compatibility) return [];
  const change: Change = { field: 'compatibility', to: desired.compatibility };
  if (observed?.compatibility !== undefined) change.from = observed.compatibility;
  return [change];
}

export const schemaProvider: Provider<SchemaSpec, ObservedSubject, SchemaStep> = {
  kind: 'schema',

  desired(spec) {
    return new Map(spec.schemas.map((s) => [schemaId(s.subject), s]));
  },

  observed({ subjects }) {
    return new Map(subjects.map((s) => [schemaId(s.subject), s]));
  },

  diff(id, desired, observed) {
    const subject = desired?.subject ?? observed?.subject ?? id.slice('schema/'.length);
    const base = { kind: 'schema' as const, id, subject };
    if (!desired)
      return { ...base, action: 'delete', changes: [{ field: 'versions', from: observed?.latest?.version }] };

    const latest = observed?.latest;
    if (!latest) {
      return {
        ...base,
        action: 'create',
        schema: desired.schema,
        compatibility: desired.compatibility,
        changes: [
          { field: 'version', to: 1 },
          { field: 'compatibility', to: desired.compatibility },
          { field: 'file', to: desired.file },
        ],
      };
    }

    const compatibility = compatibilityChange(desired, observed);
    if (sameSchema(desired.schema, latest.schema)) {
      if (compatibility.length === 0) return { ...base, action: 'noop', changes: [] };
      return { ...base, action: 'update', compatibility: desired.compatibility, changes: compatibility };
    }

    const version: Change = { field: 'version', from: latest.version, to: latest.version + 1 };
    if (observed?.candidate && !observed.candidate.compatible) {
      const why = observed.candidate.messages.length ? observed.candidate.messages.join('; ') : 'no reason given';
      version.refused =
        `the registry finds ${desired.file} incompatible with version ${latest.version} of ${subject} (${desired.compatibility}): ${why}. ` +
        'Give new fields a default, do not change field types, or write to a new topic';
      return { ...base, action: 'refused', changes: [version], reason: version.refused };
    }
    return {
      ...base,
      action: 'update',
      schema: desired.schema,
      ...(compatibility.length ? { compatibility: desired.compatibility } : {}),
      changes: [version, ...compatibility, { field: 'file', to: desired.file }],
    };
  },

  async create({ registry }, step) {
    await registry.register(step.subject, step.schema!);
    if (step.compatibility) await registry.setCompatibility(step.subject, step.compatibility);
  },

  async update({ registry }, step) {
    // The level first: the new version is then checked under the level the spec asks for.
    if (step.compatibility) await registry.setCompatibility(step.subject, step.compatibility);
    if (step.schema) await registry.register(step.subject, step.schema);
  },

  async delete({ registry }, step) {
    await registry.deleteSubject(step.subject);
  },
};
